// The Debian side of the package actions: control files, documentation, dpkg-deb, and the
// three kinds (mkbmdeb, mkdeb, mkdsc).
#pragma once
#include "dkms/package_common.hpp"

#include <ctime>
#include <string>
#include <vector>

namespace modkit::dkms::package {

struct DebInput {
    std::string module, version;
    std::string source_dir; // <dkms_tree>/<m>/<v>/source, followed
    std::string conf_text;  // its dkms.conf
    std::time_t epoch = 0;
    std::string maintainer;
};

struct ControlFields {
    std::string package, version, architecture, section, depends, provides, recommends;
    std::string synopsis, description; // the description is wrapped here
};

// A word quoted for sh, only when it needs it.
std::string shell_word(const std::string& s);

// /usr/share/doc/<pkg>/copyright and changelog.Debian.gz under `root`.
util::Expected<void> put_docs(Staging& staging, const std::string& root, const std::string& pkg,
                              const std::string& version, const DebInput& in,
                              const std::string& summary, const std::string& license);

// DEBIAN/control and md5sums, times set to the epoch, then dpkg-deb into <staging>/<file>.
util::Expected<void> build_deb(Staging& staging, const std::string& root, const ControlFields& c,
                               std::time_t epoch, const std::string& file, Report& report);

// Each returns the file name made in the staging directory.
util::Expected<std::string> make_bmdeb(const DebInput& in, const KernelModules& km,
                                       Staging& staging, Report& report);
util::Expected<std::string> make_dkms_deb(const DebInput& in,
                                          const std::vector<KernelModules>& prebuilt,
                                          Staging& staging, Report& report);
util::Expected<std::vector<std::string>> make_dsc(const DebInput& in, Staging& staging,
                                                  Report& report);

} // namespace modkit::dkms::package
