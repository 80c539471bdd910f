// DKMS 2.8's package actions, back: mkbmdeb (binary-only .deb per kernel), mkdeb (the source
// as a -dkms .deb, with prebuilt modules unless --source-only), mkdsc (a Debian source
// package) and mkrpm (binary rpms per kernel and the DKMS source rpm). Every kernel
// named with -k (or --all built kernels) is built first, the missing builds in parallel; the
// packages are made only when every build succeeded, and appear in
// <dkms_tree>/<m>/<v>/<kind>/ all at once or not at all.
#pragma once
#include "dkms/actions.hpp"
#include "dkms/context.hpp"
#include "dkms/outcome.hpp"
#include "dkms/report.hpp"

#include <optional>
#include <string_view>

namespace modkit::dkms {

enum class PackageKind { BinaryDeb, Deb, Dsc, Rpm };

// The kind an action word names ("mkbmdeb"...), or none.
std::optional<PackageKind> package_kind(std::string_view action);

// Runs one package action (the caller checked m/v were given and added).
Outcome package_action(Context& ctx, PackageKind kind, const Selection& sel, Report& report);

} // namespace modkit::dkms
