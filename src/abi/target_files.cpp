// Locating a target's files, listing its tree and reading its exports.
#include "abi/target_files.hpp"

#include "module/decompress.hpp"
#include "module/kernel_image.hpp"
#include "module/ksymtab.hpp"
#include "module/module_file.hpp"
#include "util/atomic_file.hpp"
#include "util/buffer.hpp"
#include "util/mapped_file.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include "module/names.hpp"
#include "util/fs.hpp"
#include <dirent.h>
#include <unistd.h>

namespace modkit::abi {
namespace {

using util::ErrorKind;

std::string under(const std::string& root, const std::string& path) {
    if (root.empty() || root == "/") return path;
    std::string r = root;
    while (r.size() > 1 && r.back() == '/')
        r.pop_back();
    return r + path;
}

std::string first_existing(const std::vector<std::string>& candidates) {
    for (const auto& c : candidates)
        if (util::target_exists(c) && !util::is_directory(c)) return c;
    return {};
}

// The build directory of a module directory: its `build` link, resolved inside the root when
// absolute (Debian: /lib/modules/K/build -> /usr/src/linux-headers-K).
std::string build_dir(const std::string& root, const std::string& module_dir) {
    std::string link = module_dir + "/build";
    char buf[4096];
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return link;
    std::string target(buf, static_cast<size_t>(n));
    if (target.starts_with('/')) return under(root, target);
    return module_dir + "/" + target;
}

int tree_rank(std::string_view rel) {
    if (rel.starts_with("updates/")) return 0;
    if (rel.starts_with("extra/")) return 1;
    if (rel.starts_with("weak-updates/")) return 2;
    return 3;
}

void add_module(std::map<std::string, std::string>& out, std::string rel) {
    std::string name = module::path_to_modname(rel);
    auto [it, inserted] = out.emplace(name, rel);
    if (!inserted && tree_rank(rel) < tree_rank(it->second)) it->second = std::move(rel);
}

void walk(const std::string& dir, const std::string& rel, std::map<std::string, std::string>& out,
          int depth) {
    if (depth > 32) return;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n == "." || n == ".." || (depth == 0 && (n == "build" || n == "source"))) continue;
        names.emplace_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end()); // deterministic whatever readdir says
    for (const auto& n : names) {
        std::string path = dir + "/" + n;
        std::string r = rel.empty() ? n : rel + "/" + n;
        if (module::has_module_extension(n)) {
            if (!util::is_directory(path)) add_module(out, r);
        } else if (util::is_directory(path)) {
            walk(path, r, out, depth + 1);
        }
    }
}

} // namespace

std::string module_dir_for(const std::string& root, const std::string& release) {
    std::string lib = under(root, "/lib/modules/" + release);
    std::string usr = under(root, "/usr/lib/modules/" + release);
    if (!util::is_directory(lib) && util::is_directory(usr)) return usr;
    return lib;
}

TargetFiles locate_target_files(const TargetOptions& o, const std::string& release,
                                const std::string& module_dir) {
    TargetFiles f;
    std::string boot = o.boot.empty() ? under(o.root, "/boot") : o.boot;
    std::string build = build_dir(o.root, module_dir);
    std::string headers = under(o.root, "/usr/src/linux-headers-" + release);
    f.config =
        first_existing({boot + "/config-" + release, module_dir + "/config", build + "/.config",
                        headers + "/.config", build + "/include/config/auto.conf"});
    f.vmlinuz = first_existing(
        {boot + "/vmlinuz-" + release, module_dir + "/vmlinuz", boot + "/vmlinux-" + release});
    f.symvers =
        !o.symvers.empty()
            ? o.symvers
            : first_existing({build + "/Module.symvers", headers + "/Module.symvers",
                              boot + "/symvers-" + release + ".gz", module_dir + "/symvers.gz",
                              under(o.root, "/usr/src/kernels/" + release) + "/Module.symvers"});
    return f;
}

TreeListing list_tree(const std::string& module_dir) {
    TreeListing out;
    out.exists = util::is_directory(module_dir);
    if (!out.exists) return out;
    if (auto dep = util::MappedFile::open(module_dir + "/modules.dep")) {
        std::string_view text = dep->chars();
        while (!text.empty()) {
            std::string_view line = text.substr(0, text.find('\n'));
            text.remove_prefix(std::min(line.size() + 1, text.size()));
            std::string_view path = line.substr(0, line.find(':'));
            if (path.empty()) continue;
            std::string rel(path);
            if (rel.starts_with(module_dir + "/")) rel = rel.substr(module_dir.size() + 1);
            add_module(out.modules, std::move(rel));
        }
    } else {
        walk(module_dir, "", out.modules, 0);
    }
    if (auto builtin = util::MappedFile::open(module_dir + "/modules.builtin")) {
        std::string_view text = builtin->chars();
        while (!text.empty()) {
            std::string_view line = text.substr(0, text.find('\n'));
            text.remove_prefix(std::min(line.size() + 1, text.size()));
            if (!line.empty()) out.builtin.push_back(module::path_to_modname(line));
        }
        std::sort(out.builtin.begin(), out.builtin.end());
    }
    return out;
}

util::Expected<Symvers> load_symvers_file(const std::string& path) {
    auto bytes = util::read_file_bytes(path);
    if (!bytes) return util::fail(std::move(bytes.error()));
    module::Compression c = module::detect_compression(bytes->bytes());
    if (c == module::Compression::None) return Symvers::load(path);
    auto text = module::decompress(bytes->bytes(), c, path);
    if (!text) return util::fail(std::move(text.error()));
    std::string s(reinterpret_cast<const char*>(text->data()), text->size());
    return Symvers::from_text(std::move(s), path);
}

util::Expected<ExportTable> exports_from_tree(const std::string& vmlinuz,
                                              const std::string& module_dir,
                                              const std::map<std::string, std::string>& modules,
                                              unsigned jobs) {
    auto image = module::KernelImage::open(vmlinuz);
    if (!image) return util::fail(std::move(image.error()));
    auto kernel = module::vmlinux_exports(image->elf(), vmlinuz);
    if (!kernel) return util::fail(std::move(kernel.error()));
    ExportTable table;
    table.add("vmlinux", *kernel);
    std::vector<const std::pair<const std::string, std::string>*> list;
    for (const auto& m : modules)
        list.push_back(&m);
    auto per_module = util::parallel_map(
        list.size(), jobs ? jobs : util::default_jobs(),
        [&](size_t i) -> std::vector<module::KernelExport> {
            auto mod = module::ModuleFile::open(module_dir + "/" + list[i]->second,
                                                module::ModuleFile::Load::OnDemand);
            if (!mod) return {};
            auto exports = module::module_exports(*mod);
            return exports ? std::move(*exports) : std::vector<module::KernelExport>{};
        });
    for (size_t i = 0; i < list.size(); ++i) {
        // Module.symvers names an in-tree module by its path in the source tree, without the
        // kernel/ its installed path starts with.
        std::string owner = list[i]->second;
        if (owner.starts_with("kernel/")) owner.erase(0, 7);
        for (std::string_view ext : {".ko.xz", ".ko.zst", ".ko.gz", ".ko"})
            if (owner.ends_with(ext)) {
                owner.resize(owner.size() - ext.size());
                break;
            }
        table.add(owner, per_module[i]);
    }
    table.finish();
    table.origin =
        vmlinuz + " and the " + std::to_string(list.size()) + " modules of " + module_dir;
    return table;
}

std::optional<ElfIdentity> elf_identity_from_config(const KernelConfig& cfg) {
    using elf::ElfClass;
    using util::Endian;
    if (cfg.enabled("X86_64")) return ElfIdentity{62, ElfClass::Elf64, Endian::Little};
    if (cfg.enabled("X86_32")) return ElfIdentity{3, ElfClass::Elf32, Endian::Little};
    if (cfg.enabled("ARM64"))
        return ElfIdentity{183, ElfClass::Elf64,
                           cfg.enabled("CPU_BIG_ENDIAN") ? Endian::Big : Endian::Little};
    if (cfg.enabled("RISCV"))
        return ElfIdentity{243, cfg.enabled("64BIT") ? ElfClass::Elf64 : ElfClass::Elf32,
                           Endian::Little};
    if (cfg.enabled("PPC64"))
        return ElfIdentity{21, ElfClass::Elf64,
                           cfg.enabled("CPU_LITTLE_ENDIAN") ? Endian::Little : Endian::Big};
    if (cfg.enabled("S390")) return ElfIdentity{22, ElfClass::Elf64, Endian::Big};
    if (cfg.enabled("ARM"))
        return ElfIdentity{40, ElfClass::Elf32,
                           cfg.enabled("CPU_BIG_ENDIAN") ? Endian::Big : Endian::Little};
    return std::nullopt;
}

} // namespace modkit::abi
