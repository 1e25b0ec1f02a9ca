#include "fdsl/dataset/partition.h"

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

/// A non-negative integer variable, or nullopt if unset; throws for a malformed value.
std::optional<std::int64_t> env_int(const EnvLookup& env, const char* name) {
  const char* value = env(name);
  if (!value) return std::nullopt;
  auto v = parse_int(value);
  if (!v || *v < 0)
    throw_bad_input("environment variable " + std::string(name) + "=" + value + " is not a non-negative integer");
  return v;
}

/// A rank/size pair of variables: both set (rank < size, size > 0) or neither.
std::optional<ShardAssignment> env_pair(const EnvLookup& env, const char* rank_name, const char* size_name) {
  auto rank = env_int(env, rank_name);
  auto size = env_int(env, size_name);
  if (!rank && !size) return std::nullopt;
  if (!rank || !size)
    throw_bad_input(std::string("environment variable ") + (rank ? size_name : rank_name) + " is unset while " +
                    (rank ? rank_name : size_name) + " is set");
  const std::string where =
      std::string(rank_name) + "=" + std::to_string(*rank) + ", " + size_name + "=" + std::to_string(*size);
  if (*size == 0 || *rank >= *size) throw_bad_input("inconsistent environment: " + where + " (need rank < size)");
  return ShardAssignment{*rank, *size, where};
}

}  // namespace

std::pair<std::int64_t, std::int64_t> ShardAssignment::range(std::int64_t items) const {
  // floor(i * items / count) without overflow for any realistic sizes (items, count < 2^31.5).
  auto edge = [&](std::int64_t i) { return static_cast<std::int64_t>(static_cast<__int128>(i) * items / count); };
  return {edge(index), edge(index + 1)};
}

std::string ShardAssignment::text() const { return std::to_string(index) + "/" + std::to_string(count); }

EnvLookup process_environment() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

ShardAssignment parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto bad = [&](const std::string& why) {
    throw_bad_input("--shard " + text + ": " + why + " (expected I/N with 0 <= I < N, e.g. --shard 0/4)");
  };
  if (slash == std::string::npos) bad("no '/'");
  const auto i = parse_int(std::string_view(text).substr(0, slash));
  const auto n = parse_int(std::string_view(text).substr(slash + 1));
  if (!i || !n) bad("I and N must be integers");
  if (*n <= 0) bad("N must be at least 1");
  if (*i < 0 || *i >= *n) bad("index " + std::to_string(*i) + " is out of range for " + std::to_string(*n) + " parts");
  return ShardAssignment{*i, *n, "--shard " + text};
}

ShardAssignment shard_from_environment(const EnvLookup& env) {
  // The innermost launcher: an MPI rank, else a task of an srun step.
  std::optional<ShardAssignment> inner = env_pair(env, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE");
  if (!inner) inner = env_pair(env, "PMI_RANK", "PMI_SIZE");
  if (!inner) {
    // A batch script sees SLURM_PROCID=0 and SLURM_NTASKS of the allocation without running as
    // many copies: only an srun step (SLURM_STEP_ID, not the batch or extern step) splits.
    const auto step = env_int(env, "SLURM_STEP_ID");
    if (step && *step < 0xfffffff0) inner = env_pair(env, "SLURM_PROCID", "SLURM_NTASKS");
  }
  // The outer split: a Slurm job array.
  std::optional<ShardAssignment> outer;
  if (const auto id = env_int(env, "SLURM_ARRAY_TASK_ID")) {
    const auto count = env_int(env, "SLURM_ARRAY_TASK_COUNT");
    const auto min = env_int(env, "SLURM_ARRAY_TASK_MIN").value_or(0);
    const auto step = env_int(env, "SLURM_ARRAY_TASK_STEP").value_or(1);
    std::string where = "SLURM_ARRAY_TASK_ID=" + std::to_string(*id) + ", SLURM_ARRAY_TASK_MIN=" + std::to_string(min) +
                        ", SLURM_ARRAY_TASK_STEP=" + std::to_string(step) +
                        ", SLURM_ARRAY_TASK_COUNT=" + (count ? std::to_string(*count) : std::string("unset"));
    if (!count || *count == 0 || step == 0 || *id < min || (*id - min) % step != 0 || (*id - min) / step >= *count)
      throw_bad_input("cannot tell this array task's part from " + where +
                      ": use a contiguous job array such as --array=0-" +
                      std::to_string(count && *count > 0 ? *count - 1 : 3) + ", or pass --shard I/N");
    outer = ShardAssignment{(*id - min) / step, *count, where};
  }
  if (outer && inner)
    return ShardAssignment{outer->index * inner->count + inner->index, outer->count * inner->count,
                           outer->source + "; " + inner->source};
  if (outer) return *outer;
  if (inner) return *inner;
  return ShardAssignment{0, 1, ""};
}

ShardAssignment resolve_shard(const std::string& cli_text, bool ignore_environment, const EnvLookup& env) {
  const ShardAssignment from_env = ignore_environment ? ShardAssignment{} : shard_from_environment(env);
  if (cli_text.empty()) return from_env;
  const ShardAssignment given = parse_shard(cli_text);
  if (from_env.count > 1 && (from_env.index != given.index || from_env.count != given.count))
    throw_bad_input("--shard " + given.text() + " conflicts with the environment, which makes this process part " +
                    from_env.text() + " (" + from_env.source +
                    "); drop --shard to use the environment's split, or add --ignore-shard-env to use --shard alone");
  return given;
}

}  // namespace fdsl
