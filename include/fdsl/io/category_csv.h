// FractalDB category files: one CSV per category, one row `a,b,c,d,e,f,p` per affine map.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fdsl/core/ifs.h"

namespace fdsl {

/// Reads one FractalDB CSV: one row per map, 7 comma-separated numbers `a,b,c,d,e,f,p`, no
/// header. Throws Error(BadInput) naming file and 1-based line for: wrong column count (say how
/// many found, 7 expected), a value that is not a number, a non-finite value, zero rows, p
/// negative (and, naming the file, for probabilities that are all zero).
Ifs2 read_fractaldb_csv(const std::filesystem::path& path);

/// Formats a system as that CSV text, numbers written with enough digits to round-trip exactly
/// (%.18e like NumPy's savetxt default, e.g. 1.724223243171234543e-01), '\n' after every row.
/// Throws Error(BadInput) if maps and probs differ in length or a value is not finite.
std::string format_fractaldb_csv(const Ifs2& ifs);

/// Reads a FractalDB category directory: either files NNNNN.csv directly inside, or the official
/// layout csvK/NNNNN.csv (K = 0..39 subfolders). Returns the systems ordered by the number NNNNN;
/// throws Error(BadInput) if the numbers are not exactly 0..count-1 (naming the first missing
/// one) or the folder has no CSV.
std::vector<Ifs2> read_fractaldb_category_dir(const std::filesystem::path& dir);

/// Writes systems as dir/NNNNN.csv (5-digit zero-padded), atomically each.
void write_fractaldb_category_dir(const std::filesystem::path& dir,
                                  const std::vector<Ifs2>& systems);

}  // namespace fdsl
