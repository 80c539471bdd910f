// kmod_list: libkmod's list model (a list is its first entry; entries are stable nodes of a
// circular doubly linked ring, so the last entry and both neighbours are O(1)), building and
// freeing lists, and the functions that walk them.
#include "libkmod/internal.hpp"
#include "libkmod/libkmod.h"

#include <cstdlib>
#include <new>

namespace modkit::libkmod {

kmod_list* list_append_data(kmod_list* head, void* data) {
    auto* node = static_cast<kmod_list*>(std::malloc(sizeof(kmod_list)));
    if (node == nullptr) throw std::bad_alloc();
    node->data = data;
    if (head == nullptr) {
        node->next = node->prev = node;
        return node;
    }
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
    return head;
}

kmod_list* list_append_module(kmod_list* head, kmod_module* mod) {
    return list_append_data(head, mod);
}

kmod_list* list_append_record(kmod_list* head, ListKind kind, std::string key, std::string value,
                              uint64_t number, int bind) {
    auto record = std::make_unique<ListRecord>();
    record->kind = kind;
    record->key = std::move(key);
    record->value = std::move(value);
    record->number = number;
    record->bind = bind;
    kmod_list* out = list_append_data(head, record.get());
    record.release();
    return out;
}

void list_free(kmod_list* head) {
    if (head == nullptr) return;
    head->prev->next = nullptr; // open the ring
    for (kmod_list* node = head; node != nullptr;) {
        kmod_list* next = node->next;
        if (kmod_module* mod = module_of(node))
            module_unref(mod);
        else if (node->data != nullptr && *static_cast<const uint32_t*>(node->data) == k_record_tag)
            delete static_cast<ListRecord*>(node->data);
        std::free(node);
        node = next;
    }
}

kmod_module* module_of(const kmod_list* entry) {
    if (entry == nullptr || entry->data == nullptr) return nullptr;
    auto* mod = static_cast<kmod_module*>(entry->data);
    return mod->tag == k_module_tag ? mod : nullptr;
}

const ListRecord* record_of(const kmod_list* entry, ListKind kind) {
    if (entry == nullptr || entry->data == nullptr) return nullptr;
    auto* rec = static_cast<const ListRecord*>(entry->data);
    return rec->tag == k_record_tag && rec->kind == kind ? rec : nullptr;
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
