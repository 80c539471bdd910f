// The kmod index format (modules.dep.bin, modules.alias.bin, modules.symbols.bin,
// modules.builtin.bin, modules.builtin.alias.bin), as written by depmod and read by libkmod.
//
//   file    := header node*
//   header  := u32 magic (0xB007F457)  u32 version (0x00020001)  u32 root
//   node    := [prefix] [children] [values]      -- which parts exist is given by the flag
//                                                   bits of the pointer that leads to the node
//   prefix  := bytes NUL                          if PREFIX  (0x80000000)
//   children:= u8 first  u8 last  u32 child[last - first + 1]
//                                                 if CHILDS  (0x20000000); 0 = no child
//   values  := u32 count  { u32 priority  bytes NUL }*count
//                                                 if VALUES  (0x40000000)
//
// All integers are big-endian. A pointer is (offset & 0x0FFFFFFF) | flags; offset 0 means
// "none". The trie is a Patricia trie over 7-bit bytes: the byte that selects a child is
// consumed by the edge, the child's prefix holds the rest of the shared label. Values in a
// node are kept in ascending priority; a new value goes before the first one whose priority
// is >= its own (ties: last inserted first).
//
// Layouts: kmod <= 33 writes children before their parent (post-order, root pointer patched
// in last); kmod 34 writes each node before its children (pre-order, root at offset 12).
// Readers accept both; modkit writes pre-order. Readers only check the major version (2).
#pragma once

#include <cstdint>

namespace modkit::index {

inline constexpr uint32_t k_magic = 0xB007F457;
inline constexpr uint32_t k_version = 0x00020001;
inline constexpr uint32_t k_version_major = 2;
inline constexpr uint32_t k_header_size = 12;

inline constexpr uint32_t k_flag_prefix = 0x80000000;
inline constexpr uint32_t k_flag_values = 0x40000000;
inline constexpr uint32_t k_flag_childs = 0x20000000;
inline constexpr uint32_t k_offset_mask = 0x0FFFFFFF;

inline constexpr unsigned k_child_max = 128; // keys are 7-bit ASCII

} // namespace modkit::index
