// Loading a KernelTarget: locating the files, then reading each once. The kernel image is
// decompressed on a background thread (about a second for an xz vmlinuz) while the modules to
// check are read; trusted_keys() waits for it.
#include "abi/kernel_target.hpp"

#include "abi/kernel_abi.hpp"
#include "abi/target_files.hpp"
#include "module/kernel_image.hpp"
#include "module/module_file.hpp"
#include "util/atomic_file.hpp"
#include "util/buffer.hpp"
#include "util/parallel.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <exception>

namespace modkit::abi {

using util::ErrorKind;

struct KernelTarget::Keys {
    std::optional<module::TrustedKeys> keys;
    std::string note; // why keys is empty
    // Last, so it is destroyed first: the last future of a std::async task waits for the task,
    // which writes the members above.
    std::shared_future<void> ready;
};

KernelTarget::KernelTarget() = default;
KernelTarget::KernelTarget(KernelTarget&&) noexcept = default;
KernelTarget& KernelTarget::operator=(KernelTarget&&) noexcept = default;
KernelTarget::~KernelTarget() {
    if (m_keys && m_keys->ready.valid()) m_keys->ready.wait();
}

std::string normalize_module_name(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '-', '_');
    return out;
}

const module::TrustedKeys* KernelTarget::trusted_keys() const {
    if (!m_keys) return nullptr;
    if (m_keys->ready.valid()) m_keys->ready.wait();
    return m_keys->keys ? &*m_keys->keys : nullptr;
}

void KernelTarget::add_module_exports(const std::string& name, const std::string& rel,
                                      const std::vector<module::KernelExport>& exports) {
    m_modules[name] = rel;
    if (!m_exports) return; // no table: symbols are not checked at all
    std::string owner = rel;
    for (std::string_view ext : {".ko.xz", ".ko.zst", ".ko.gz", ".ko"})
        if (owner.ends_with(ext)) {
            owner.resize(owner.size() - ext.size());
            break;
        }
    m_exports->add(owner, exports);
}

void KernelTarget::finish_exports() {
    if (m_exports) m_exports->finish();
}

bool KernelTarget::is_builtin(const std::string& name) const {
    return std::binary_search(m_builtin.begin(), m_builtin.end(), normalize_module_name(name));
}

std::vector<std::string> KernelTarget::notes() const {
    std::vector<std::string> out = m_notes;
    if (m_loader.signatures && m_keys) {
        if (m_keys->ready.valid()) m_keys->ready.wait();
        if (!m_keys->note.empty()) out.push_back(m_keys->note);
    }
    return out;
}

// The steps of load(), one per source of facts.
class TargetLoader {
public:
    TargetLoader(const TargetOptions& o, KernelTarget& t)
        : m_opt(o)
        , m_t(t) {}

    util::Expected<void> run() {
        if (auto r = identify(); !r) return r;
        m_files = locate_target_files(m_opt, m_t.m_release, m_t.m_module_dir);
        if (auto r = read_config(); !r) return r;
        read_tree();
        if (auto r = read_vermagic(); !r) return r;
        start_keys();
        return read_exports();
    }

private:
    util::Expected<void> identify() {
        m_t.m_release = m_opt.release;
        if (!m_opt.tree.empty()) {
            m_t.m_module_dir = m_opt.tree;
            while (m_t.m_module_dir.size() > 1 && m_t.m_module_dir.back() == '/')
                m_t.m_module_dir.pop_back();
            if (m_t.m_release.empty()) m_t.m_release = util::basename(m_t.m_module_dir);
        }
        if (m_t.m_release.empty())
            return util::fail(ErrorKind::Invalid, EINVAL, "",
                              "no target kernel: give its release (-k KVER) or its tree");
        if (m_t.m_module_dir.empty()) m_t.m_module_dir = module_dir_for(m_opt.root, m_t.m_release);
        return {};
    }

    util::Expected<void> read_config() {
        if (m_files.config.empty()) {
            m_t.m_notes.push_back("no kernel configuration for " + m_t.m_release + " (config-" +
                                  m_t.m_release +
                                  "): Debian's defaults assumed (modversions on, signatures "
                                  "checked but not enforced, forced loads allowed)");
            return {};
        }
        auto cfg = KernelConfig::load(m_files.config);
        if (!cfg) return util::fail(std::move(cfg.error()));
        m_t.m_config_path = m_files.config;
        LoaderConfig& l = m_t.m_loader;
        l.modversions = cfg->enabled("MODVERSIONS");
        l.signatures = cfg->enabled("MODULE_SIG");
        l.sig_enforce = cfg->enabled("MODULE_SIG_FORCE");
        l.force_load = cfg->enabled("MODULE_FORCE_LOAD");
        l.missing_ns_allowed = cfg->enabled("MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS");
        if (cfg->enabled("MODULE_DECOMPRESS")) {
            if (cfg->enabled("MODULE_COMPRESS_XZ"))
                l.decompress = "xz";
            else if (cfg->enabled("MODULE_COMPRESS_ZSTD"))
                l.decompress = "zstd";
            else if (cfg->enabled("MODULE_COMPRESS_GZIP"))
                l.decompress = "gzip";
        }
        m_config = std::move(*cfg);
        return {};
    }

    void read_tree() {
        TreeListing tree = list_tree(m_t.m_module_dir);
        m_t.m_modules = std::move(tree.modules);
        m_t.m_builtin = std::move(tree.builtin);
        if (!tree.exists)
            m_t.m_notes.push_back("no module directory " + m_t.m_module_dir +
                                  ": modules the target would need cannot be looked up");
    }

    // An in-tree module's vermagic is exactly what the build gave every module; the
    // configuration gives the same string when there is no tree.
    util::Expected<void> read_vermagic() {
        size_t tried = 0;
        for (const auto& [name, rel] : m_t.m_modules) {
            if (!rel.starts_with("kernel/")) continue;
            if (++tried > 8) break;
            std::string path = m_t.m_module_dir + "/" + rel;
            auto mod = module::ModuleFile::open(path, module::ModuleFile::Load::OnDemand);
            if (!mod) continue;
            m_t.m_elf =
                ElfIdentity{mod->elf().machine(), mod->elf().elf_class(), mod->elf().endian()};
            auto vm = mod->vermagic();
            if (!vm) continue;
            if (util::first_word(*vm) != m_t.m_release)
                return util::fail(ErrorKind::Invalid, EINVAL, path,
                                  "in-tree module was built for kernel " +
                                      std::string(util::first_word(*vm)) + ", not " +
                                      m_t.m_release);
            m_t.m_vermagic = *vm;
            m_t.m_vermagic_origin = "in-tree module " + path;
            return {};
        }
        if (m_config) {
            auto vm = vermagic_from_config(m_t.m_release, *m_config, "");
            if (vm) {
                m_t.m_vermagic = *vm;
                m_t.m_vermagic_origin = "derived from " + m_config->path();
                if (!m_t.m_elf) m_t.m_elf = elf_identity_from_config(*m_config);
                return {};
            }
        }
        m_t.m_notes.push_back("neither an in-tree module nor a configuration gives " +
                              m_t.m_release + "'s vermagic: vermagic is not checked");
        return {};
    }

    void start_keys() {
        if (!m_t.m_loader.signatures || !m_opt.want_keys) return;
        auto keys = std::make_shared<KernelTarget::Keys>();
        m_t.m_keys = keys;
        std::string image = m_files.vmlinuz;
        std::vector<std::string> extra = m_opt.certs;
        // The task holds a plain pointer: a shared_ptr would own the future that owns the task
        // (a cycle never freed). The Keys outlive the task: ~KernelTarget and `ready` wait for it.
        auto work = [keys = keys.get(), image, extra]() noexcept {
            std::vector<std::vector<uint8_t>> der;
            std::string origin;
            if (image.empty()) {
                keys->note = "no kernel image (vmlinuz): the certificates it trusts are unknown, "
                             "signatures are not verified";
            } else if (auto certs = module::read_system_certificates(image); !certs) {
                keys->note = "cannot read the certificates of " + image + ": " +
                             certs.error().describe() + "; signatures are not verified";
            } else {
                der = std::move(*certs);
            }
            for (const auto& path : extra) {
                auto bytes = util::read_file_bytes(path);
                if (bytes) der.push_back({bytes->bytes().begin(), bytes->bytes().end()});
            }
            if (!image.empty() || !extra.empty()) keys->keys.emplace(der);
        };
        try {
            keys->ready = std::async(std::launch::async, work).share();
        } catch (const std::exception&) {
            work(); // no thread: read it now
            keys->ready = std::shared_future<void>();
        }
    }

    util::Expected<void> read_exports() {
        const bool mv = m_t.m_loader.modversions;
        if (!m_files.symvers.empty()) {
            auto symvers = load_symvers_file(m_files.symvers);
            if (!symvers) return util::fail(std::move(symvers.error()));
            m_t.m_exports = ExportTable::from_symvers(*symvers, mv);
            return {};
        }
        if (m_files.vmlinuz.empty()) {
            m_t.m_notes.push_back("no Module.symvers and no kernel image with its tree for " +
                                  m_t.m_release + ": symbols and their CRCs are not checked");
            return {};
        }
        auto table =
            exports_from_tree(m_files.vmlinuz, m_t.m_module_dir, m_t.m_modules, m_opt.jobs);
        if (!table) {
            m_t.m_notes.push_back("cannot read the exports of " + m_files.vmlinuz + ": " +
                                  table.error().describe() + "; symbols are not checked");
            return {};
        }
        m_t.m_exports = std::move(*table);
        return {};
    }

    const TargetOptions& m_opt;
    KernelTarget& m_t;
    TargetFiles m_files;
    std::optional<KernelConfig> m_config;
};

util::Expected<KernelTarget> KernelTarget::load(const TargetOptions& options) {
    KernelTarget t;
    TargetLoader loader(options, t);
    if (auto r = loader.run(); !r) return util::fail(std::move(r.error()));
    return t;
}

} // namespace modkit::abi
