// PC-FractalDB category files: one CSV per category (the official `3DIFS_param/NNNNNN.csv`), one
// row `a,b,c,d,e,f,g,h,i,j,k,l,p` per 3D affine map, no header, written by np.savetxt.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fdsl/core/ifs.h"

namespace fdsl {

/// Reads one category file: one row per map, 13 comma-separated numbers (A row-major, then t,
/// then p). Throws Error(BadInput) naming the file and 1-based line for a wrong column count, a
/// value that is not a number or not finite, a negative p, no rows, or all p zero.
Ifs3 read_pc_fractal_csv(const std::filesystem::path& path);

/// The system as that CSV text: %.18e (np.savetxt's default, exact round trip), '\n' after every
/// row. Throws Error(BadInput) for mismatched lengths or a non-finite value.
std::string format_pc_fractal_csv(const Ifs3& ifs);

/// Reads a folder of category files named by number (000000.csv, 000001.csv, ... as the
/// official search writes them; any number of digits), ordered by that number, which must run
/// 0..count-1 without gaps. Errors name the folder and the first missing or repeated number.
/// `sources` (optional) receives where each category came from ("dir/000003.csv:1").
std::vector<Ifs3> read_pc_fractal_category_dir(const std::filesystem::path& dir,
                                               std::vector<std::string>* sources = nullptr);

/// Writes systems as dir/NNNNNN.csv (6 digits, the official names), atomically each.
void write_pc_fractal_category_dir(const std::filesystem::path& dir, const std::vector<Ifs3>& systems);

/// All categories in one table (a dataset folder's categories.csv): the header
/// `category,a,b,c,d,e,f,g,h,i,j,k,l,p`, then one row per map, categories in order 0, 1, ...
std::string format_pc_category_table(const std::vector<Ifs3>& systems);
/// Reads that table; errors name the file and line. `sources` (optional) receives each
/// category's first row ("categories.csv:42").
std::vector<Ifs3> read_pc_category_table(const std::filesystem::path& path,
                                         std::vector<std::string>* sources = nullptr);
/// A category folder or a categories.csv table, whichever `path` is.
std::vector<Ifs3> read_pc_categories(const std::filesystem::path& path, std::vector<std::string>* sources = nullptr);

}  // namespace fdsl
