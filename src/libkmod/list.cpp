// kmod_list: libkmod's list model (a list is its first entry; entries are stable nodes of a
// circular doubly linked ring, so the last entry and both neighbours are O(1)) and the
// functions that walk it.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

namespace modkit::libkmod {

kmod_list* list_new_node(ListKind kind) {
    auto* node = new kmod_list;
    node->kind = kind;
    node->next = node;
    node->prev = node;
    return node;
}

kmod_list* list_append(kmod_list* head, kmod_list* node) {
    if (head == nullptr) return node;
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
    return head;
}

kmod_list* list_append_module(kmod_list* head, kmod_module* mod) {
    kmod_list* node = list_new_node(ListKind::Module);
    node->module = mod;
    return list_append(head, node);
}

void list_free(kmod_list* head) {
    if (head == nullptr) return;
    head->prev->next = nullptr; // open the ring
    for (kmod_list* node = head; node != nullptr;) {
        kmod_list* next = node->next;
        if (node->kind == ListKind::Module) module_unref(node->module);
        delete node;
        node = next;
    }
}

const kmod_list* entry_of(const kmod_list* entry, ListKind kind) {
    return entry != nullptr && entry->kind == kind ? entry : nullptr;
}

} // namespace modkit::libkmod

extern "C" {

kmod_list* kmod_list_next(const kmod_list* list, const kmod_list* curr) {
    if (list == nullptr || curr == nullptr) return nullptr;
    return curr->next == list ? nullptr : curr->next;
}

kmod_list* kmod_list_prev(const kmod_list* list, const kmod_list* curr) {
    if (list == nullptr || curr == nullptr || curr == list) return nullptr;
    return curr->prev;
}

kmod_list* kmod_list_last(const kmod_list* list) {
    return list == nullptr ? nullptr : list->prev;
}

} // extern "C"
