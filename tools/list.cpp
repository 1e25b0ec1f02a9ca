// fdsl list [GENERATOR] [--markdown]: the generators and their parameters, from the declarations.
#include <cstdio>

#include "commands.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/generators/generator.h"

namespace fdsl::cli {

namespace {

std::string default_text(const ParamSpec& p) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>)
          return v.empty() ? "\"\"" : v;
        else if constexpr (std::is_same_v<T, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%g", v);
          return buf;
        } else
          return std::to_string(v);
      },
      p.default_value);
}

/// The help with what the declaration says of the key's relations.
std::string meaning(const ParamSpec& p) {
  std::string m = p.help;
  for (const ParamSpec::Limit& l : p.limits)
    m += "; at most " + std::to_string(static_cast<long long>(l.max)) + " with " + l.key + " " + l.value;
  if (!p.not_above.empty()) m += "; at most " + p.not_above;
  if (!p.when_key.empty()) m += " (only when " + p.when_text() + ")";
  return m;
}

void print_table(const std::string& title, const std::string& note, const ParamTable& table, bool markdown) {
  if (markdown) {
    std::printf("\n#### %s\n\n", title.c_str());
    if (!note.empty()) std::printf("%s\n\n", note.c_str());
    std::printf("| key | type | default | range | meaning |\n|---|---|---|---|---|\n");
    for (const auto& p : table)
      std::printf("| `%s` | %s | %s | %s | %s |\n", p.name.c_str(), p.type_name().c_str(), default_text(p).c_str(),
                  p.range_text().c_str(), meaning(p).c_str());
    return;
  }
  std::printf("\n%s\n", title.c_str());
  if (!note.empty()) std::printf("%s\n", note.c_str());
  for (const auto& p : table)
    std::printf("  %-18s %-6s %-12s %-22s %s\n", p.name.c_str(), p.type_name().c_str(), default_text(p).c_str(),
                p.range_text().c_str(), meaning(p).c_str());
}

/// "Recipe counts: classes 0 means 1000, instances 0 means 100."
std::string counts(const GeneratorInfo& g) {
  std::string t = "Recipe counts:";
  if (g.classes > 0) t += " `classes: 0` means " + std::to_string(g.classes) + ";";
  if (g.instances > 0) t += " `instances: 0` means " + std::to_string(g.instances) + ";";
  if (!g.counts_note.empty()) t += " " + g.counts_note + ";";
  t.back() = '.';
  return t;
}

}  // namespace

void add_list(CLI::App& app) {
  struct Args {
    std::string name;
    bool markdown = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("list", "list generators and their parameters");
  cmd->add_option("generator", args->name, "show only this generator");
  cmd->add_flag("--markdown", args->markdown, "print Markdown tables (the README's)");
  cmd->callback([args] {
    if (!args->name.empty()) find_generator(args->name);  // unknown names are an error
    if (args->name.empty()) print_table("dataset keys (every config)", "", dataset_params(), args->markdown);
    for (const auto& g : generator_registry()) {
      if (!args->name.empty() && g.name != args->name) continue;
      print_table("generator: " + g.name + " - " + g.summary, counts(g), *g.params, args->markdown);
    }
  });
}

}  // namespace fdsl::cli
