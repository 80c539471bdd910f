// Printing `abi check` results: the text report, the JSON document (docs/json.md, "abi
// check") and the exit status (0 loads, 3 taints, 1 refused, 2 unreadable or usage).
#pragma once

#include "abi/kernel_target.hpp"
#include "abi/predict.hpp"
#include "util/error.hpp"

#include <string>
#include <vector>

namespace modkit::cli::abi_render {

struct Item {
    std::string path;
    util::Expected<abi::Prediction> prediction;
};

enum class Detail { Quiet, Reasons, Verbose };

std::string text(const abi::KernelTarget& target, const std::vector<Item>& items, Detail detail);
std::string json(const abi::KernelTarget& target, const std::vector<Item>& items);
int exit_status(const std::vector<Item>& items);

// "ENOEXEC", "EKEYREJECTED"... for the errors the loader returns; the number otherwise.
std::string errno_name(int err);
// insmod's wording: "Invalid module format", "Unknown symbol in module", strerror otherwise.
std::string insmod_error(int err);

} // namespace modkit::cli::abi_render
