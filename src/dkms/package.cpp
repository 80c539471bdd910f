// The package actions' common course: lock the tree, build what is missing (all kernels or
// no package), gather each kernel's modules, make the packages in a staging directory (one
// per kernel at once, up to --jobs), then publish them together.
#include "dkms/package.hpp"

#include "dkms/package_deb.hpp"
#include "dkms/package_rpm.hpp"
#include "dkms/transaction.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <climits>
#include <cstdlib>

namespace modkit::dkms {

namespace {

using namespace package;

struct KindInfo {
    std::string_view action, dir;
    PackageKind kind;
};
constexpr KindInfo k_package_kinds[] = {{"mkbmdeb", "bmdeb", PackageKind::BinaryDeb},
                                        {"mkdeb", "deb", PackageKind::Deb},
                                        {"mkdsc", "dsc", PackageKind::Dsc},
                                        {"mkrpm", "rpm", PackageKind::Rpm}};

const KindInfo& kind_info(PackageKind kind) {
    for (const auto& k : k_package_kinds)
        if (k.kind == kind) return k;
    return k_package_kinds[0];
}

bool needs_binaries(const Context& ctx, PackageKind kind) {
    switch (kind) {
    case PackageKind::BinaryDeb:
        return true;
    case PackageKind::Deb:
    case PackageKind::Rpm:
        return !ctx.source_only;
    case PackageKind::Dsc:
        return false;
    }
    return false;
}

std::string target_distribution(PackageKind kind) {
    return kind == PackageKind::Rpm ? "fedora" : "debian";
}

Outcome package_failed(const std::string& action, const util::Error& e) {
    std::vector<std::string> lines;
    std::string text = e.describe();
    for (auto l : util::split(text, '\n'))
        lines.emplace_back(l);
    lines.push_back("There was a problem creating your " + action.substr(2) +
                    "; no package was made.");
    return die(exit_code::k_no_module_built, lines);
}

using Products = util::Expected<std::vector<std::string>>;

Products make_products(const Context& ctx, PackageKind kind, const DebInput& in,
                       const std::vector<KernelModules>& kms, Staging& staging, Report& report) {
    switch (kind) {
    case PackageKind::BinaryDeb: {
        // One package per kernel, made at once.
        unsigned width = ctx.build_jobs != 0 ? ctx.build_jobs : util::default_jobs();
        auto made = util::parallel_map(kms.size(), width, [&](size_t i) {
            BufferedReport quiet;
            return make_bmdeb(in, kms[i], staging, quiet);
        });
        std::vector<std::string> files;
        for (auto& r : made) {
            if (!r) return std::unexpected(r.error());
            files.push_back(*r);
        }
        return files;
    }
    case PackageKind::Deb: {
        auto r = make_dkms_deb(in, kms, staging, report);
        if (!r) return std::unexpected(r.error());
        return std::vector<std::string>{*r};
    }
    case PackageKind::Dsc:
        return make_dsc(in, staging, report);
    case PackageKind::Rpm: {
        std::vector<std::string> files;
        if (!kms.empty()) { // one rpm per kernel, made at once
            unsigned width = ctx.build_jobs != 0 ? ctx.build_jobs : util::default_jobs();
            auto made = util::parallel_map(kms.size(), width, [&](size_t i) {
                BufferedReport quiet;
                return make_rpm(in, {kms[i]}, staging, quiet);
            });
            for (auto& r : made) {
                if (!r) return std::unexpected(r.error());
                files.insert(files.end(), r->begin(), r->end());
            }
        }
        if (!ctx.binaries_only) {
            auto src = make_rpm(in, {}, staging, report);
            if (!src) return std::unexpected(src.error());
            files.insert(files.end(), src->begin(), src->end());
        }
        return files;
    }
    }
    return std::vector<std::string>{};
}

} // namespace

std::optional<PackageKind> package_kind(std::string_view action) {
    for (const auto& k : k_package_kinds)
        if (action == k.action) return k.kind;
    return std::nullopt;
}

Outcome package_action(Context& ctx, PackageKind kind, const Selection& sel, Report& report) {
    const std::string action(kind_info(kind).action);
    if (ctx.binaries_only && ctx.source_only)
        return die(
            exit_code::k_usage,
            {"The action " + action + " cannot take --binaries-only and --source-only together."});
    auto lock = TreeLock::acquire(ctx, report, MissingTree::Create);
    if (!lock) return die(exit_code::k_generic, {lock.error().describe()});
    if (auto r = recover(ctx, report); !r) return die(exit_code::k_generic, {r.error().describe()});
    const std::string& m = sel.module;
    const std::string& v = sel.version;
    Tree tree{ctx};

    std::vector<KernelModules> kms;
    if (needs_binaries(ctx, kind)) {
        if (auto r = build_missing(ctx, m, v, sel.targets, report); !r) return r;
        for (const auto& t : sel.targets) {
            auto km = kernel_modules(ctx, m, v, t, target_distribution(kind), report);
            if (!km) return package_failed(action, km.error());
            kms.push_back(std::move(*km));
        }
    }
    DebInput in;
    in.module = m;
    in.version = v;
    char real[PATH_MAX];
    std::string link = tree.source_link(m, v);
    in.source_dir = realpath(link.c_str(), real) != nullptr ? real : link;
    auto conf = util::read_file(in.source_dir + "/dkms.conf");
    if (!conf) return package_failed(action, conf.error());
    in.conf_text = *conf;
    in.epoch = package_epoch(ctx, m, v);
    in.maintainer = maintainer();

    std::string out_dir = tree.version_dir(m, v) + "/" + std::string(kind_info(kind).dir);
    auto staging = Staging::create(out_dir);
    if (!staging) return package_failed(action, staging.error());
    auto files = make_products(ctx, kind, in, kms, *staging, report);
    if (!files) return package_failed(action, files.error());
    if (auto r = staging->publish(*files); !r) return package_failed(action, r.error());
    report.out("\n");
    for (const auto& f : *files)
        report.out("Wrote " + out_dir + "/" + f + "\n");
    report.out("DKMS: " + action + " completed.\n");
    return {};
}

} // namespace modkit::dkms
