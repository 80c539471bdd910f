// What the text and JSON views of `modprobe --explain` share: the words for sources, actions
// and reasons, and the running kernel's state of a module. Internal to src/cli.
#pragma once

#include "cli/modprobe.hpp"
#include "resolve/explain.hpp"
#include "util/json.hpp"

#include <string>

namespace modkit::cli::modprobe {

// "loaded", "loading", "unloading", "not loaded" or "builtin".
std::string state_of(Context& ctx, const std::string& name, bool builtin);
const char* action_name(resolve::StepKind k);
std::string reason_text(const resolve::ProbeStep& s);
const char* reason_key(resolve::StepReason r);
const char* removal_reason_key(resolve::RemovalReason r);
std::string origin_text(const config::Origin& o);

void explain_text(Context& ctx, const resolve::Explanation& ex);
void explain_json(Context& ctx, const resolve::Explanation& ex, util::JsonWriter& j);

} // namespace modkit::cli::modprobe
