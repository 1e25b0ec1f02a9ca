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
void write_fractaldb_category_dir(const std::filesystem::path& dir, const std::vector<Ifs2>& systems);

/// All categories in one file (what a dataset folder holds, since an ImageFolder root may contain
/// no folder but the class folders): a header `category,a,b,c,d,e,f,p`, then one row per map
/// with its category number, categories in order 0, 1, ...
std::string format_category_table(const std::vector<Ifs2>& systems);
/// Reads that file; errors name the file and line.
std::vector<Ifs2> read_category_table(const std::filesystem::path& path);
/// A category folder (FractalDB layout) or a categories.csv table, whichever `path` is.
std::vector<Ifs2> read_categories(const std::filesystem::path& path);

}  // namespace fdsl
