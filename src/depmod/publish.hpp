// Publishing depmod's files into the output directory without ever exposing a half-written
// one. Every file is written and fsynced under a temporary name first; then a small journal
// (modules.modkit-commit) records the renames about to happen, the renames run back to back,
// and the journal is removed. If the process dies during the renames, the next depmod finds
// the journal and finishes them, so the set always ends up whole. Temporary files of a run
// that died earlier are removed. A flock on the directory serialises concurrent runs.
#pragma once

#include "depmod/outputs.hpp"
#include "util/error.hpp"

#include <string>
#include <vector>

namespace modkit::depmod {

inline constexpr const char* k_journal_name = "modules.modkit-commit";

// Finishes a commit that was interrupted during its renames and removes leftover temporary
// files. Returns the number of files it completed.
util::Expected<size_t> recover_interrupted_commit(const std::string& dir);

// Writes every file of `files` into `dir` as described above. On any error before the renames
// nothing in `dir` changes.
util::Expected<void> publish_files(const std::string& dir, const std::vector<OutputFile>& files);

} // namespace modkit::depmod
