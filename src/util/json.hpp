// The one JSON writer behind every --json view: a streaming builder that places commas,
// indents by two spaces and escapes strings per RFC 8259, so writers only say what goes where
// and all of modkit's JSON has one layout. Invalid UTF-8 in a string (module files may hold
// any bytes) becomes U+FFFD, so the document is always valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace modkit::util {

// `s` as a quoted JSON string.
std::string json_string(std::string_view s);

// Builds one JSON document. Misuse (a value where a key is due, unbalanced ends) is a
// programming error; the output is whatever was built.
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
    // key(k) then an array of strings.
    JsonWriter& string_array(std::string_view k, const std::vector<std::string>& items);

    // The document so far, without a final newline.
    const std::string& str() const { return m_out; }
    // The document with a final newline; the writer is empty afterwards.
    std::string take();

private:
    void before_value(); // the comma and indentation before every element
    struct Level {
        bool object = false;
        size_t count = 0;
    };
    std::string m_out;
    std::vector<Level> m_stack;
    bool m_key_pending = false;
};

} // namespace modkit::util
