// Reading a kernel's expectations: the build directory first, then an in-tree module of the
// kernel's module directory when there are no (usable) headers.
#include "abi/kernel_abi.hpp"
#include "util/atomic_file.hpp"

#include "module/module_file.hpp"
#include "util/fs.hpp"
#include "util/mapped_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace modkit::abi {
namespace {

using util::ErrorKind;

// How many entries of modules.dep/modules.order to try before giving up on the module tree.
constexpr size_t k_max_tree_candidates = 8;

using util::first_word;

// The module paths a module directory lists, in order: modules.dep (kmod's, "path: deps")
// first, else modules.order (shipped by the kernel package). Only the first few are returned.
util::Expected<std::vector<std::string>> tree_candidates(const std::string& module_dir) {
    for (const char* list : {"/modules.dep", "/modules.order"}) {
        auto file = util::MappedFile::open(module_dir + list);
        if (!file) {
            if (file.error().kind == ErrorKind::NotFound) continue;
            return util::fail(std::move(file.error()));
        }
        std::vector<std::string> out;
        std::string_view text = file->chars();
        while (!text.empty() && out.size() < k_max_tree_candidates) {
            std::string_view line = text.substr(0, text.find('\n'));
            text.remove_prefix(std::min(line.size() + 1, text.size()));
            std::string_view path = line.substr(0, line.find(':'));
            if (path.empty() || path.find('\0') != std::string_view::npos) continue;
            out.push_back(path.starts_with('/') ? std::string(path)
                                                : module_dir + "/" + std::string(path));
        }
        return out;
    }
    return util::fail(ErrorKind::NotFound, ENOENT, module_dir, "no modules.dep or modules.order");
}

// The vermagic of the first listed module that opens and has one.
util::Expected<void> vermagic_from_tree(const KernelLocation& where, KernelAbi& abi) {
    auto candidates = tree_candidates(where.module_dir);
    if (!candidates) return util::fail(std::move(candidates.error()));
    for (const auto& path : *candidates) {
        auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
        if (!mod) continue;
        auto vermagic = mod->vermagic();
        if (!vermagic) continue;
        std::string_view release = first_word(*vermagic);
        if (!where.release.empty() && release != where.release)
            return util::fail(ErrorKind::Invalid, EINVAL, path,
                              "in-tree module was built for kernel " + std::string(release) +
                                  ", not " + where.release);
        abi.release = release;
        abi.vermagic = *vermagic;
        abi.vermagic_source = VermagicSource::InTreeModule;
        abi.vermagic_file = path;
        return {};
    }
    return util::fail(ErrorKind::NotFound, ENOENT, where.module_dir,
                      "no in-tree module with a vermagic");
}

// Fills abi.vermagic from the build directory. A NotFound or Unsupported error lets the caller
// fall back to the module tree; any other error is final.
util::Expected<void> vermagic_from_headers(const KernelLocation& where, KernelAbi& abi) {
    std::string uts_file = where.source_dir + "/include/generated/utsrelease.h";
    auto uts = read_uts_release(uts_file);
    if (!uts) return util::fail(std::move(uts.error()));
    if (!where.release.empty() && *uts != where.release)
        return util::fail(ErrorKind::Invalid, EINVAL, uts_file,
                          "the headers are for kernel " + *uts + ", not " + where.release);
    std::string config = where.source_dir + "/include/config/auto.conf";
    if (!util::target_exists(config)) config = where.source_dir + "/.config";
    auto vermagic = vermagic_from_config(*uts, config, where.source_dir);
    if (!vermagic) return util::fail(std::move(vermagic.error()));
    abi.release = std::move(*uts);
    abi.vermagic = std::move(*vermagic);
    abi.vermagic_source = VermagicSource::Headers;
    abi.vermagic_file = std::move(uts_file);
    abi.config_file = std::move(config);
    return {};
}

bool can_fall_back(const util::Error& e) {
    return e.kind == ErrorKind::NotFound || e.kind == ErrorKind::Unsupported;
}

} // namespace

std::string KernelAbi::vermagic_origin() const {
    if (vermagic_source == VermagicSource::InTreeModule)
        return "taken from in-tree module " + vermagic_file;
    return "derived from " + vermagic_file + " and " + config_file;
}

bool KernelAbi::has_modversions() const {
    std::string_view rest = vermagic;
    while (!rest.empty()) {
        std::string_view word = first_word(rest);
        if (word == "modversions") return true;
        rest.remove_prefix(std::min(word.size() + 1, rest.size()));
    }
    return false;
}

util::Expected<KernelAbi> load_kernel_abi(const KernelLocation& where) {
    KernelAbi abi;
    std::optional<util::Error> headers_error;
    if (!where.source_dir.empty()) {
        auto done = vermagic_from_headers(where, abi);
        if (!done) {
            if (!can_fall_back(done.error()) || where.module_dir.empty())
                return util::fail(std::move(done.error()));
            headers_error = std::move(done.error());
        }
    }
    if (abi.vermagic.empty()) {
        if (where.module_dir.empty())
            return util::fail(ErrorKind::Invalid, EINVAL, "",
                              "neither a kernel build directory nor a module directory given");
        auto done = vermagic_from_tree(where, abi);
        if (!done) {
            util::Error err = std::move(done.error());
            // Say why the headers were not used either.
            if (headers_error) err.message += " (and " + headers_error->describe() + ")";
            return util::fail(std::move(err));
        }
    }
    if (!where.source_dir.empty()) {
        auto symvers = Symvers::load(where.source_dir + "/Module.symvers");
        if (symvers)
            abi.symvers = std::move(*symvers);
        else if (symvers.error().kind != ErrorKind::NotFound)
            return util::fail(std::move(symvers.error()));
    }
    return abi;
}

} // namespace modkit::abi
