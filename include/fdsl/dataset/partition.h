// Which part of a dataset this process makes, when many processes share the work: `--shard I/N`
// on the command line, or the environment of Slurm job arrays, Slurm tasks, Open MPI and PMI.
// Parts are contiguous blocks of the work (tar shards or folder work units) cut the same way on
// every machine, so the union of all parts is the single-process dataset, byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace fdsl {

/// Part `index` of `count` (0 <= index < count).
struct ShardAssignment {
  std::int64_t index = 0;
  std::int64_t count = 1;
  std::string source;  ///< where it came from, for messages: "--shard 1/4", "SLURM_ARRAY_TASK_ID=1, ..."

  /// The items [begin, end) of `items` this part owns: contiguous blocks whose sizes differ by
  /// at most one (a part may own none when count > items).
  std::pair<std::int64_t, std::int64_t> range(std::int64_t items) const;
  /// "I/N" as given on the command line.
  std::string text() const;
};

/// Looks up an environment variable (nullptr if unset); tests pass their own.
using EnvLookup = std::function<const char*(const char*)>;
/// The process environment.
EnvLookup process_environment();

/// Parses "I/N"; throws Error(BadInput) for anything else, N = 0, or I outside [0, N).
ShardAssignment parse_shard(const std::string& text);

/// The part the environment gives, or count 1 if it gives none. Precedence: the MPI rank
/// (OMPI_COMM_WORLD_RANK/_SIZE, else PMI_RANK/PMI_SIZE, else SLURM_PROCID/SLURM_NTASKS inside an
/// srun step: SLURM_STEP_ID set), nested inside a Slurm job array (SLURM_ARRAY_TASK_ID minus
/// SLURM_ARRAY_TASK_MIN, divided by SLURM_ARRAY_TASK_STEP, of SLURM_ARRAY_TASK_COUNT): array task
/// a of A running ranks r of R gives part a*R + r of A*R. SLURM_PROCID/SLURM_NTASKS of a batch
/// script (no srun step) describe no split and are ignored. Malformed or inconsistent values throw
/// Error(BadInput) naming the variables.
ShardAssignment shard_from_environment(const EnvLookup& env);

/// The part this process makes: `--shard` text if given (must agree with the environment unless
/// `ignore_environment`), else the environment's.
ShardAssignment resolve_shard(const std::string& cli_text, bool ignore_environment, const EnvLookup& env);

}  // namespace fdsl
