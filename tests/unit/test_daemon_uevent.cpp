// The uevent parser: the kernel's datagrams as they arrive (an add with a MODALIAS, a remove),
// every kind of malformed message with its reason, every truncation and byte flip of a real
// message (never a crash, always either an event or an error), and the uevent-file form.
#include "daemon/uevent.hpp"

#include <gtest/gtest.h>

#include <string>

namespace modkit::daemon {
namespace {

std::vector<uint8_t> bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

const std::string k_add = std::string("add@/devices/pci0000:00/0000:00:03.0\0ACTION=add\0"
                                      "DEVPATH=/devices/pci0000:00/0000:00:03.0\0SUBSYSTEM=pci\0"
                                      "MODALIAS=pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc"
                                      "00i00\0SEQNUM=1234\0",
                                      178);

TEST(DaemonUevent, KernelAdd) {
    auto ev = parse_uevent(bytes(k_add));
    ASSERT_TRUE(ev) << ev.error().describe();
    EXPECT_EQ(ev->action, "add");
    EXPECT_EQ(ev->devpath, "/devices/pci0000:00/0000:00:03.0");
    EXPECT_EQ(ev->seqnum, 1234u);
    EXPECT_EQ(ev->get("SUBSYSTEM"), "pci");
    EXPECT_EQ(ev->modalias(), "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
    EXPECT_EQ(ev->env.size(), 5u);
    EXPECT_FALSE(ev->get("DRIVER"));
}

TEST(DaemonUevent, LastFieldWithoutNul) {
    auto ev = parse_uevent(bytes(std::string("remove@/devices/x\0ACTION=remove\0SEQNUM=7", 40)));
    ASSERT_TRUE(ev) << ev.error().describe();
    EXPECT_EQ(ev->action, "remove");
    EXPECT_EQ(ev->seqnum, 7u);
    EXPECT_FALSE(ev->modalias());
}

struct Bad {
    std::string message;
    std::string reason;
};

TEST(DaemonUevent, Malformed) {
    const Bad cases[] = {
        {"", "empty message"},
        {std::string("libudev\0\xfe\xed\xca\xfe", 12), "a libudev message, not the kernel's"},
        {"add/devices/x", "header 'add/devices/x' is not ACTION@DEVPATH"},
        {"@/devices/x", "header '@/devices/x' is not ACTION@DEVPATH"},
        {"add@", "header 'add@' is not ACTION@DEVPATH"},
        {"add@devices", "header 'add@devices' is not ACTION@DEVPATH"},
        {std::string("add@/d\0NOEQUALS\0", 16), "field 1 has no '='"},
        {std::string("add@/d\0=v\0", 10), "field 1 has an empty or unprintable key"},
        {std::string("add@/d\0A=1\0\0B=2\0", 16), "field 2 is empty"},
        {std::string("add@/d\0K=a\nb\0", 13), "field 1 (K) has a control byte"},
        {std::string("add@/d\0SEQNUM=12x\0", 18), "field 1: SEQNUM '12x' is not a number"},
        {std::string("add@/d\0SEQNUM=\0", 15), "field 1: SEQNUM '' is not a number"},
        {std::string("add@/d\0ACTION=remove\0", 21), "ACTION=remove contradicts the header's add"},
        {std::string("add@/d\0DEVPATH=/e\0", 18), "DEVPATH=/e contradicts the header's /d"},
        {"add@/" + std::string(k_uevent_max, 'x'),
         "message of " + std::to_string(k_uevent_max + 5) + " bytes (at most 8192)"},
    };
    for (const Bad& b : cases) {
        auto ev = parse_uevent(bytes(b.message));
        ASSERT_FALSE(ev) << "accepted: " << b.message;
        EXPECT_EQ(ev.error().message, b.reason);
        EXPECT_EQ(ev.error().sys_errno, EBADMSG);
    }
}

TEST(DaemonUevent, EveryTruncationAndByteFlipIsAnEventOrAnError) {
    auto whole = bytes(k_add);
    for (size_t n = 0; n <= whole.size(); ++n) {
        auto ev = parse_uevent(std::span(whole.data(), n));
        if (ev) {
            EXPECT_EQ(ev->action, "add");
        } else {
            EXPECT_FALSE(ev.error().message.empty());
        }
    }
    for (size_t i = 0; i < whole.size(); ++i) {
        for (uint8_t x : {0x01, 0x20, 0x80, 0xff}) {
            auto copy = whole;
            copy[i] ^= x;
            auto ev = parse_uevent(copy);
            if (ev) {
                EXPECT_FALSE(ev->action.empty());
            }
        }
    }
}

TEST(DaemonUevent, UeventFile) {
    auto ev = parse_uevent_file("DRIVER=e1000e\nPCI_CLASS=20000\nMODALIAS=pci:v00008086d000010D3\n"
                                "\n",
                                "/devices/pci0000:00/0000:00:04.0");
    ASSERT_TRUE(ev) << ev.error().describe();
    EXPECT_EQ(ev->action, "add");
    EXPECT_EQ(ev->modalias(), "pci:v00008086d000010D3");
    auto bad = parse_uevent_file("A=1\nbroken\n", "/devices/x");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().describe(), "/devices/x/uevent:2: line 2 has no '='");
}

} // namespace
} // namespace modkit::daemon
