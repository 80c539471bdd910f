// Where DKMS actions send their messages. The CLI prints straight to stdout/stderr; parallel
// builds each get a buffer that is printed whole, in job order, so output never depends on
// which build finished first.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::dkms {

class Report {
public:
    // Text as given (callers include the newline).
    virtual void out(std::string_view text) = 0;
    virtual void err(std::string_view text) = 0;
    virtual ~Report() = default;

    // DKMS's helpers: "Error! " / "Warning: " / "Deprecated feature: " then each line.
    void error(const std::vector<std::string>& lines);
    void warning(const std::vector<std::string>& lines);
    void deprecated(std::string_view what);
};

// Prints to the process's stdout (buffered) and stderr.
class ConsoleReport final : public Report {
public:
    void out(std::string_view text) override;
    void err(std::string_view text) override;
};

// Keeps everything, in order, for printing later with replay().
class BufferedReport final : public Report {
public:
    void out(std::string_view text) override { m_items.push_back({false, std::string(text)}); }
    void err(std::string_view text) override { m_items.push_back({true, std::string(text)}); }
    void replay(Report& to) const;

private:
    struct Item {
        bool is_err;
        std::string text;
    };
    std::vector<Item> m_items;
};

} // namespace modkit::dkms
