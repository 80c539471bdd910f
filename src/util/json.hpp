// JSON output for the --json views: string escaping per RFC 8259, and one small streaming
// writer every view uses, so all of modkit's JSON has the same layout (two-space indentation,
// keys in the order the writer is given them, a final newline).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::util {

// `s` as a quoted JSON string.
std::string json_string(std::string_view s);

// Builds one JSON document. Misuse (a value where a key is due, unbalanced ends) is a
// programming error and asserts in debug builds; the output is whatever was built.
class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The key of the next value (inside an object).
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(int64_t n);
    JsonWriter& value(uint64_t n);
    JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
    JsonWriter& value(unsigned n) { return value(static_cast<uint64_t>(n)); }
    JsonWriter& null();

    // key(k).value(v) in one call.
    template <class T> JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }
    // An array of strings.
    JsonWriter& string_array(std::string_view k, const std::vector<std::string>& items);

    // The document with a final newline; the writer is empty afterwards.
    std::string take();

private:
    void before_value();
    struct Level {
        bool object = false;
        size_t count = 0;
    };
    std::string m_out;
    std::vector<Level> m_stack;
    bool m_key_pending = false;
};

} // namespace modkit::util
