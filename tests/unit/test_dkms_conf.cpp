// dkms.conf evaluation and post-processing: bash semantics DKMS users rely on (double
// evaluation, arrays, scalars as element 0, helper variables that do not leak), and
// read_conf's defaults, validation and BUILD_EXCLUSIVE verdicts.
#include "dkms/compare.hpp"
#include "dkms/conf.hpp"
#include "dkms/conf_eval.hpp"
#include "dkms/kconfig.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace modkit::dkms {
namespace {

class RecordingReport final : public Report {
public:
    void out(std::string_view t) override { text_out += t; }
    void err(std::string_view t) override { text_err += t; }
    std::string text_out, text_err;
};

TEST(DkmsVer, PadsDigitRunsLikeTheSedPipeline) {
    // Expected values produced by running DKMS's VER() in bash.
    EXPECT_EQ(ver_key("6.1.0-50-amd64"), "006.001.000-050-amd064");
    EXPECT_EQ(ver_key("4.12-rc1"), "004.012-rc001");
    EXPECT_EQ(ver_key("a1b22c333d4444"), "a001b022c333d4444");
    EXPECT_EQ(ver_key("0.0+git20231103"), "000.000+git20231103");
    EXPECT_EQ(ver_key("1.12.0+dfsg"), "001.012.000+dfsg");
    EXPECT_EQ(ver_key(""), "");
    EXPECT_EQ(ver_compare("6.1.0-50-amd64", "6.1"), 1);
    EXPECT_EQ(ver_compare("4.12-rc1", "4.12"), 1); // a DKMS quirk, kept
    EXPECT_EQ(ver_compare("1.10", "1.9"), 1);
    EXPECT_EQ(ver_compare("2.0", "2.0"), 0);
}

TEST(DkmsKconfig, ReadsValuesAndEnabledState) {
    KernelConfig kc = KernelConfig::parse("# CONFIG_FOO is not set\nCONFIG_ACPI=y\nCONFIG_I2C=m\n"
                                          "CONFIG_MODULE_SIG_HASH=\"sha256\"\nCONFIG_N=n\n");
    EXPECT_TRUE(kc.enabled("CONFIG_ACPI"));
    EXPECT_TRUE(kc.enabled("CONFIG_I2C"));
    EXPECT_FALSE(kc.enabled("CONFIG_FOO"));
    EXPECT_FALSE(kc.enabled("CONFIG_N"));
    EXPECT_EQ(kc.value("CONFIG_MODULE_SIG_HASH"), "sha256");
}

util::Expected<EvalResult> eval_text(const test::TempDir& dir, const std::string& text,
                                     std::vector<std::string> names) {
    test::write_file(dir.file("dkms.conf"), text);
    EvalRequest req;
    req.globals = {{"kernelver", "6.1.0-50-amd64"}, {"dkms_tree", "/var/lib/dkms"}};
    req.files = {dir.file("dkms.conf")};
    req.names = std::move(names);
    req.cwd = dir.path();
    return evaluate_files(req);
}

TEST(DkmsConfEval, EvaluatesTwiceAsSafeSourceDoes) {
    test::TempDir dir;
    auto r = eval_text(dir, "MAKE[0]=\"make \\$(echo EXPANDED_TWICE)\"\nPACKAGE_NAME=x\n",
                       {"MAKE", "PACKAGE_NAME"});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->vars.get("MAKE"), "make EXPANDED_TWICE");
    EXPECT_EQ(r->vars.get("PACKAGE_NAME"), "x");
}

TEST(DkmsConfEval, ArraysScalarsAndHelpersAsBashHasThem) {
    test::TempDir dir;
    auto r = eval_text(dir,
                       "BDIR=\"$dkms_tree/p/1/build\"\nMAKE=\"make -C $BDIR\"\ni=0\n"
                       "BUILT_MODULE_NAME[$i]=a\ni=$((i+1))\nBUILT_MODULE_NAME[$i]=b\n"
                       "BUILT_MODULE_NAME[5]=sparse\nmyfunc() { :; }\necho to-stdout\n",
                       {"MAKE", "BUILT_MODULE_NAME", "BDIR", "i"});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->vars.get("MAKE"), "make -C /var/lib/dkms/p/1/build");
    EXPECT_EQ(r->vars.get("BUILT_MODULE_NAME", 0), "a");
    EXPECT_EQ(r->vars.get("BUILT_MODULE_NAME", 1), "b");
    EXPECT_EQ(r->vars.get("BUILT_MODULE_NAME", 5), "sparse");
    EXPECT_EQ(r->vars.count("BUILT_MODULE_NAME"), 3u);
    EXPECT_EQ(r->vars.end_index("BUILT_MODULE_NAME"), 6);
    // Whitelisted helper names still come back; that is what the whitelist is for. A name
    // not asked for never does.
    EXPECT_FALSE(r->vars.has("myfunc"));
}

TEST(DkmsConfEval, QuoteInValueLosesItAsInDkms) {
    test::TempDir dir;
    auto r = eval_text(dir, "POST_BUILD='post.sh \"quoted arg\"'\nPACKAGE_NAME=x\n",
                       {"POST_BUILD", "PACKAGE_NAME"});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_FALSE(r->vars.has("POST_BUILD"));
    EXPECT_EQ(r->vars.get("PACKAGE_NAME"), "x");
}

TEST(DkmsConfEval, BackslashNewlineAndCarriageReturns) {
    test::TempDir dir;
    auto r =
        eval_text(dir, "MAKE[0]=\"make one \\\n      && make two\"\r\nPACKAGE_NAME=\"crlf\"\r\n",
                  {"MAKE", "PACKAGE_NAME"});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->vars.get("MAKE"), "make one && make two"); // unquoted echo squeezes spaces
    EXPECT_EQ(r->vars.get("PACKAGE_NAME"), "crlf");
}

TEST(DkmsConfEval, ExitInTheFileLosesEverything) {
    test::TempDir dir;
    auto r = eval_text(dir, "PACKAGE_NAME=x\nexit 1\n", {"PACKAGE_NAME"});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_FALSE(r->vars.has("PACKAGE_NAME"));
}

TEST(DkmsConfEval, OverridesSeeEarlierValuesAndDirectivesWin) {
    test::TempDir dir;
    test::write_file(dir.file("a.conf"), "PACKAGE_NAME=a\nMAKE=\"make A\"\n");
    test::write_file(dir.file("b.conf"), "MAKE=\"$MAKE B\"\nREMAKE_INITRD=yes\n");
    EvalRequest req;
    req.files = {dir.file("a.conf"), dir.file("missing.conf"), dir.file("b.conf")};
    req.names = {"PACKAGE_NAME", "MAKE", "REMAKE_INITRD"};
    req.watch = {"REMAKE_INITRD"};
    req.directives = {{"PACKAGE_NAME", "from-cli"}};
    auto r = evaluate_files(req);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->vars.get("MAKE"), "make A B");
    EXPECT_EQ(r->vars.get("PACKAGE_NAME"), "from-cli");
    ASSERT_EQ(r->watched.size(), 2u);
    EXPECT_TRUE(r->watched[0].second.empty());
    EXPECT_EQ(r->watched[1].second, std::vector<std::string>{"REMAKE_INITRD"});
}

// read_conf on a text, for kernel 6.1.0-50-amd64/x86_64 on Debian.
util::Expected<DkmsConf> conf_of(const test::TempDir& dir, const std::string& text,
                                 RecordingReport& rep, const std::string& kconfig = "") {
    test::write_file(dir.file("dkms.conf"), text);
    if (!kconfig.empty()) test::write_file(dir.file(".config"), kconfig);
    Context ctx;
    ctx.running_distribution = "debian";
    ctx.framework_dir = dir.file("etc-dkms");
    ctx.dkms_tree = "/var/lib/dkms";
    ConfRequest req;
    req.module = "pkg";
    req.module_version = "1.0";
    req.conf_path = dir.file("dkms.conf");
    req.target = {"6.1.0-50-amd64", "x86_64", dir.path(), dir.file(".config")};
    req.strict = true;
    return read_conf(ctx, req, rep);
}

TEST(DkmsReadConf, DefaultsAndDistributionLocation) {
    test::TempDir dir;
    RecordingReport rep;
    auto c = conf_of(dir,
                     "PACKAGE_NAME=pkg\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\n"
                     "BUILT_MODULE_LOCATION[0]=src\nSTRIP[0]=no\nAUTOINSTALL=YES\n",
                     rep);
    ASSERT_TRUE(c) << rep.text_err;
    ASSERT_EQ(c->modules.size(), 1u);
    EXPECT_EQ(c->modules[0].built_name, "pkg");
    EXPECT_EQ(c->modules[0].dest_name, "pkg");
    EXPECT_EQ(c->modules[0].built_location, "src/");
    EXPECT_EQ(c->modules[0].dest_location, "/updates/dkms");
    EXPECT_EQ(c->modules[0].conf_location, "/extra");
    EXPECT_FALSE(c->modules[0].strip);
    EXPECT_TRUE(c->autoinstall);
    EXPECT_EQ(c->make_command, "make -C " + dir.path() + " M=/var/lib/dkms/pkg/1.0/build");
    EXPECT_EQ(rewrite_make_command(c->make_command, "4", "6.1.0-50-amd64"),
              "make -j4 KERNELRELEASE=6.1.0-50-amd64 -C " + dir.path() +
                  " M=/var/lib/dkms/pkg/1.0/build");
}

TEST(DkmsReadConf, ErrorsAsDkmsReportsThem) {
    test::TempDir dir;
    RecordingReport rep;
    auto c = conf_of(dir,
                     "PACKAGE_NAME=pkg\nBUILT_MODULE_NAME[0]=a.ko\nDEST_MODULE_LOCATION[0]=/opt\n"
                     "BUILT_MODULE_NAME[1]=b\n",
                     rep);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, util::ErrorKind::Invalid);
    EXPECT_NE(
        rep.text_err.find(
            "dkms.conf: Error! 'BUILT_MODULE_NAME' directive ends in '.o' or '.ko' in record #0."),
        std::string::npos);
    EXPECT_NE(
        rep.text_err.find("does not begin with\n'/kernel', '/updates', or '/extra' in record #0."),
        std::string::npos);
    EXPECT_NE(rep.text_err.find("No 'DEST_MODULE_LOCATION' directive specified for record #1."),
              std::string::npos);
    EXPECT_NE(rep.text_err.find("No 'PACKAGE_VERSION' directive specified."), std::string::npos);
}

TEST(DkmsReadConf, MakeMatchPatchMatchAndExclusions) {
    test::TempDir dir;
    RecordingReport rep;
    auto c = conf_of(
        dir,
        "PACKAGE_NAME=pkg\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=a\nBUILT_MODULE_NAME[1]=b\n"
        "DEST_MODULE_LOCATION[0]=/extra\nDEST_MODULE_LOCATION[1]=/extra\n"
        "MAKE[0]=\"make old\"\nMAKE_MATCH[0]=\"^5\\.\"\nMAKE[1]=\"make "
        "new\"\nMAKE_MATCH[1]=\"^6\\.\"\n"
        "PATCH[0]=p1.patch\nPATCH_MATCH[0]=\"^5\"\nPATCH[1]=p2.patch\n"
        "BUILD_EXCLUSIVE_CONFIG[1]=\"CONFIG_MISSING\"\nBUILD_EXCLUSIVE_KERNEL_MIN=6.0\n",
        rep, "CONFIG_ACPI=y\n");
    ASSERT_TRUE(c) << rep.text_err;
    EXPECT_EQ(c->make_command, "make new");
    EXPECT_EQ(c->patches, std::vector<std::string>{"p2.patch"});
    EXPECT_FALSE(c->modules[0].excluded);
    EXPECT_TRUE(c->modules[1].excluded);
    EXPECT_FALSE(c->build_exclude);
}

TEST(DkmsReadConf, PackageExclusionByKernelArchConfig) {
    for (const char* rule :
         {"BUILD_EXCLUSIVE_KERNEL=\"^5\\.\"", "BUILD_EXCLUSIVE_ARCH=\"^do_not_build$\"",
          "BUILD_EXCLUSIVE_CONFIG=\"CONFIG_I2C !CONFIG_ACPI\"", "BUILD_EXCLUSIVE_KERNEL_MAX=6.0",
          "OBSOLETE_BY=6.0"}) {
        test::TempDir dir;
        RecordingReport rep;
        auto c = conf_of(
            dir,
            std::string("PACKAGE_NAME=pkg\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\n") +
                rule + "\n",
            rep, "CONFIG_ACPI=y\nCONFIG_I2C=m\n");
        ASSERT_TRUE(c) << rule << ": " << rep.text_err;
        EXPECT_TRUE(c->build_exclude) << rule;
    }
}

TEST(DkmsReadConf, AutoinstallValuesDkms30Accepted) {
    test::TempDir dir;
    RecordingReport rep;
    auto c = conf_of(
        dir,
        "PACKAGE_NAME=pkg\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\nAUTOINSTALL=Y\n",
        rep);
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->autoinstall);
    EXPECT_NE(rep.text_err.find("Unsupported AUTOINSTALL value 'Y'"), std::string::npos);
    RecordingReport rep2;
    auto n = conf_of(
        dir,
        "PACKAGE_NAME=pkg\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\nAUTOINSTALL=no\n",
        rep2);
    ASSERT_TRUE(n);
    EXPECT_FALSE(n->autoinstall);
}

TEST(DkmsReadConf, DeprecatedDirectivesWarnInStrictMode) {
    test::TempDir dir;
    RecordingReport rep;
    auto c = conf_of(dir,
                     "PACKAGE_NAME=pkg\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\n"
                     "CLEAN=\"make clean\"\nREMAKE_INITRD=yes\n",
                     rep);
    ASSERT_TRUE(c);
    EXPECT_NE(rep.text_err.find("Deprecated feature: CLEAN (" + dir.file("dkms.conf") + ")"),
              std::string::npos);
    EXPECT_NE(
        rep.text_err.find("Deprecated feature: REMAKE_INITRD (" + dir.file("dkms.conf") + ")"),
        std::string::npos);
}

TEST(DkmsReadConf, MissingFileIsNotFound) {
    test::TempDir dir;
    RecordingReport rep;
    Context ctx;
    ConfRequest req;
    req.conf_path = dir.file("nope/dkms.conf");
    auto c = read_conf(ctx, req, rep);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, util::ErrorKind::NotFound);
}

} // namespace
} // namespace modkit::dkms
