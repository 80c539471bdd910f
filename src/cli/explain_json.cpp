// The JSON view of `modprobe --explain`: the same facts as the text view, one object per
// argument, written with util::JsonWriter.
#include "cli/explain.hpp"

#include "util/json.hpp"

namespace modkit::cli::modprobe {

namespace {

using resolve::StepKind;

const char* directory_key(resolve::DirectoryState s) {
    switch (s) {
    case resolve::DirectoryState::Ready:
        return "ready";
    case resolve::DirectoryState::NoDirectory:
        return "missing";
    case resolve::DirectoryState::NoDependencies:
        return "not-indexed";
    }
    return "";
}

void lookup_json(const resolve::Explanation& ex, util::JsonWriter& j) {
    j.key("lookup").begin_array();
    for (const auto& a : ex.attempts) {
        j.begin_object().field("source", resolve::source_name(a.source));
        j.key("matches").begin_array();
        for (const auto& f : a.found)
            j.begin_object()
                .field("module", f.name)
                .field("alias", f.alias)
                .field("origin", f.origin)
                .end_object();
        j.end_array().end_object();
    }
    j.end_array();
}

void config_json(const resolve::ExplainedModule& m, util::JsonWriter& j) {
    j.key("options").begin_array();
    for (const auto* o : m.options)
        j.begin_object()
            .field("options", o->options)
            .field("origin", origin_text(o->origin))
            .end_object();
    if (m.cmdline_options)
        j.begin_object()
            .field("options", *m.cmdline_options)
            .field("origin", "command line")
            .end_object();
    j.end_array();
    j.key("blacklist");
    if (m.blacklist == nullptr)
        j.null();
    else
        j.begin_object()
            .field("origin", origin_text(m.blacklist->origin))
            .field("applies", m.blacklist_applies)
            .end_object();
    j.key("softdep");
    if (m.softdep == nullptr) {
        j.null();
    } else {
        j.begin_object().key("pre").begin_array();
        for (const auto& n : m.softdep_pre)
            j.value(n);
        j.end_array().key("post").begin_array();
        for (const auto& n : m.softdep_post)
            j.value(n);
        j.end_array().field("origin", origin_text(m.softdep->origin)).end_object();
    }
    auto command = [&](const char* key, const config::Command* c) {
        j.key(key);
        if (c == nullptr)
            j.null();
        else
            j.begin_object()
                .field("command", c->command)
                .field("origin", origin_text(c->origin))
                .end_object();
    };
    command("install", m.install);
    if (m.removal) command("remove", m.removal->command);
}

void load_plan_json(Context& ctx, const resolve::ProbePlan& plan, util::JsonWriter& j) {
    j.key("plan").begin_object().field("blacklisted", plan.blacklisted);
    j.key("steps").begin_array();
    for (const auto& s : plan.steps) {
        j.begin_object().field("action", action_name(s.kind)).field("module", s.name);
        if (s.kind == StepKind::Insmod)
            j.field("file", s.path);
        else
            j.field_null("file");
        if (s.kind == StepKind::Install)
            j.field("command", s.install->command);
        else
            j.field_null("command");
        j.field("options", s.options).field("reason", reason_key(s.reason));
        if (s.reason_of.empty())
            j.field_null("of");
        else
            j.field("of", s.reason_of);
        j.field("required", s.required)
            .field("state", state_of(ctx, s.name, s.kind == StepKind::Builtin))
            .end_object();
    }
    j.end_array().end_object();
}

void removal_plan_json(Context& ctx, const resolve::RemovalPlan& plan, util::JsonWriter& j) {
    j.key("removal").begin_array();
    for (const auto& l : resolve::removal_lines(plan)) {
        j.begin_object()
            .field("depth", l.depth)
            .field("module", l.name)
            .field("action", l.action)
            .field("reason", removal_reason_key(l.reason));
        if (l.reason_of.empty())
            j.field_null("of");
        else
            j.field("of", l.reason_of);
        j.field("conditions", l.conditions)
            .field("state", state_of(ctx, l.name, false))
            .end_object();
    }
    j.end_array();
}

} // namespace

void explain_json(Context& ctx, const resolve::Explanation& ex, util::JsonWriter& j) {
    j.begin_object()
        .field("input", ex.input)
        .field("normalized", ex.normalized)
        .field("module_directory", ctx.dirname)
        .field("directory", directory_key(ex.directory))
        .field("valid", !ex.invalid);
    lookup_json(ex, j);
    j.key("modules").begin_array();
    for (const auto& m : ex.modules) {
        j.begin_object().field("name", m.name);
        if (m.alias)
            j.field("alias", *m.alias);
        else
            j.field_null("alias");
        j.field("source", resolve::source_name(m.source));
        if (m.path)
            j.field("file", *m.path);
        else
            j.field_null("file");
        j.field("builtin", m.builtin).field("state", state_of(ctx, m.name, m.builtin));
        config_json(m, j);
        if (m.removal)
            removal_plan_json(ctx, *m.removal, j);
        else
            load_plan_json(ctx, m.plan, j);
        j.end_object();
    }
    j.end_array().end_object();
}

} // namespace modkit::cli::modprobe
