// The one JSON writer behind every --json view: a streaming builder that places commas and
// escapes strings per RFC 8259, so writers only say what goes where. Invalid UTF-8 in a string
// (module files may hold any bytes) becomes U+FFFD, so the document is always valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::util {

// `s` as a quoted JSON string.
std::string json_string(std::string_view s);

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The key of the next value, inside an object.
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(long long n);
    JsonWriter& value(unsigned long long n);
    JsonWriter& value(int n) { return value(static_cast<long long>(n)); }
    JsonWriter& value(unsigned n) { return value(static_cast<unsigned long long>(n)); }
    JsonWriter& value(long n) { return value(static_cast<long long>(n)); }
    JsonWriter& value(unsigned long n) { return value(static_cast<unsigned long long>(n)); }
    JsonWriter& null();

    // key(k) then value(v).
    template <class T> JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }
    JsonWriter& field_null(std::string_view k) {
        key(k);
        return null();
    }

    const std::string& str() const { return m_out; }
    std::string take() { return std::move(m_out); }

private:
    void separate(); // a comma before every element but the first of its container
    std::string m_out;
    std::vector<bool> m_has_element; // one per open container
    bool m_after_key = false;
};

} // namespace modkit::util
