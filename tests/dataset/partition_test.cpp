// Which part of the work a process makes: --shard, Slurm arrays and tasks, Open MPI, PMI.
#include "fdsl/dataset/partition.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "fdsl/core/error.h"

namespace fdsl {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    return e.what();
  }
  return "";
}

TEST(Partition, RangesCoverEveryItemOnceInBalancedBlocks) {
  for (std::int64_t items : {0, 1, 7, 100, 1001})
    for (std::int64_t count : {1, 2, 3, 8, 13}) {
      std::int64_t next = 0;
      for (std::int64_t i = 0; i < count; ++i) {
        const auto [b, e] = ShardAssignment{i, count, ""}.range(items);
        EXPECT_EQ(b, next);
        EXPECT_LE(e - b, items / count + 1);
        EXPECT_GE(e - b, items / count);
        next = e;
      }
      EXPECT_EQ(next, items);
    }
}

TEST(Partition, ParsesShardArgumentsAndRefusesBadOnes) {
  const ShardAssignment a = parse_shard("3/8");
  EXPECT_EQ(a.index, 3);
  EXPECT_EQ(a.count, 8);
  EXPECT_NE(error_of([] { parse_shard("2/2"); }).find("out of range"), std::string::npos);
  EXPECT_NE(error_of([] { parse_shard("0/0"); }).find("N must be at least 1"), std::string::npos);
  EXPECT_NE(error_of([] { parse_shard("-1/4"); }).find("out of range"), std::string::npos);
  EXPECT_NE(error_of([] { parse_shard("1of4"); }).find("--shard 1of4"), std::string::npos);
  EXPECT_NE(error_of([] { parse_shard("a/b"); }).find("integers"), std::string::npos);
}

TEST(Partition, NoEnvironmentMeansOneProcess) {
  const ShardAssignment a = shard_from_environment(env_of({}));
  EXPECT_EQ(a.index, 0);
  EXPECT_EQ(a.count, 1);
}

TEST(Partition, SlurmArrayTaskMinusMinDividedByStep) {
  auto a = shard_from_environment(
      env_of({{"SLURM_ARRAY_TASK_ID", "12"}, {"SLURM_ARRAY_TASK_MIN", "10"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}));
  EXPECT_EQ(a.text(), "2/4");
  a = shard_from_environment(env_of({{"SLURM_ARRAY_TASK_ID", "14"},
                                     {"SLURM_ARRAY_TASK_MIN", "10"},
                                     {"SLURM_ARRAY_TASK_STEP", "2"},
                                     {"SLURM_ARRAY_TASK_COUNT", "4"}}));
  EXPECT_EQ(a.text(), "2/4");
  // --array=1,3,7: ids that are not min + k*step below the count cannot be numbered.
  EXPECT_NE(error_of([] {
              shard_from_environment(env_of(
                  {{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_COUNT", "3"}}));
            }).find("contiguous job array"),
            std::string::npos);
}

TEST(Partition, SlurmTasksCountOnlyInsideAnSrunStep) {
  // A batch script sees SLURM_PROCID=0 and SLURM_NTASKS of the allocation: no split.
  EXPECT_EQ(shard_from_environment(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}})).count, 1);
  EXPECT_EQ(
      shard_from_environment(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}, {"SLURM_STEP_ID", "4294967291"}}))
          .count,
      1);
  EXPECT_EQ(
      shard_from_environment(env_of({{"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}, {"SLURM_STEP_ID", "0"}})).text(),
      "3/4");
}

TEST(Partition, MpiRanksWinOverInheritedSlurmTasks) {
  const auto a = shard_from_environment(env_of({{"OMPI_COMM_WORLD_RANK", "1"},
                                                {"OMPI_COMM_WORLD_SIZE", "2"},
                                                {"SLURM_PROCID", "0"},
                                                {"SLURM_NTASKS", "4"},
                                                {"SLURM_STEP_ID", "0"}}));
  EXPECT_EQ(a.text(), "1/2");
  EXPECT_EQ(shard_from_environment(env_of({{"PMI_RANK", "5"}, {"PMI_SIZE", "6"}})).text(), "5/6");
}

TEST(Partition, RanksNestInsideArrayTasks) {
  // Array task 2 of 3, each running 4 srun tasks: task 1 there is part 2*4+1 of 12.
  const auto a = shard_from_environment(env_of({{"SLURM_ARRAY_TASK_ID", "2"},
                                                {"SLURM_ARRAY_TASK_COUNT", "3"},
                                                {"SLURM_PROCID", "1"},
                                                {"SLURM_NTASKS", "4"},
                                                {"SLURM_STEP_ID", "0"}}));
  EXPECT_EQ(a.text(), "9/12");
}

TEST(Partition, InconsistentEnvironmentIsRefused) {
  EXPECT_NE(error_of([] {
              shard_from_environment(env_of({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_SIZE", "2"}}));
            }).find("OMPI_COMM_WORLD_RANK=2"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              shard_from_environment(env_of({{"PMI_RANK", "1"}}));
            }).find("PMI_SIZE is unset"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              shard_from_environment(env_of({{"PMI_RANK", "x"}, {"PMI_SIZE", "2"}}));
            }).find("PMI_RANK=x"),
            std::string::npos);
}

TEST(Partition, ShardArgumentMustAgreeWithTheEnvironment) {
  const auto env = env_of({{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}});
  EXPECT_EQ(resolve_shard("", false, env).text(), "1/2");
  EXPECT_EQ(resolve_shard("1/2", false, env).text(), "1/2");
  const std::string e = error_of([&] { resolve_shard("0/2", false, env); });
  EXPECT_NE(e.find("conflicts with the environment"), std::string::npos) << e;
  EXPECT_NE(e.find("OMPI_COMM_WORLD_RANK=1"), std::string::npos) << e;
  EXPECT_EQ(resolve_shard("0/2", true, env).text(), "0/2");
  EXPECT_EQ(resolve_shard("", true, env).count, 1);
}

}  // namespace
}  // namespace fdsl
