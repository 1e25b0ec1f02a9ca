// fdsl.SharedSlots: the shared-memory slots batches travel in from DataLoader workers to the
// training process (see fdsl/core/shared_slots.h); slots come out as NumPy arrays whose lifetime
// is the lease's.
#include <memory>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "fdsl/core/error.h"
#include "fdsl/core/shared_slots.h"
#include "module.h"

namespace fdsl::python {

namespace {

namespace py = pybind11;

std::size_t bytes_of(const std::vector<py::ssize_t>& shape) {
  std::size_t n = 1;
  for (py::ssize_t d : shape) {
    if (d < 0) throw_bad_input("SharedSlots: negative dimension " + std::to_string(d));
    n *= static_cast<std::size_t>(d);
  }
  return n;
}

/// A uint8 array of `shape` over the lease's bytes; the lease lives as long as the array (and any
/// view or torch tensor made from it).
py::array_t<std::uint8_t> array_of(std::unique_ptr<SharedSlots::Lease> lease, const std::vector<py::ssize_t>& shape) {
  std::uint8_t* data = lease->data();
  py::capsule owner(lease.release(), [](void* p) { delete static_cast<SharedSlots::Lease*>(p); });
  return py::array_t<std::uint8_t>(shape, data, owner);
}

}  // namespace

void bind_shared_slots(py::module_& m) {
  py::class_<SharedSlots>(m, "SharedSlots",
                          "Equal-sized slots in one anonymous shared-memory file, handed between processes that "
                          "share the file (fork, or adopt() of a passed descriptor). A writer claims a slot, fills "
                          "it and sends (slot, ticket); the reader takes it and reads it in place; the slot is free "
                          "again when the reader's array is gone. A slot is never written while a reader holds it.")
      .def(py::init<int>(), py::arg("slots"), "a new file of `slots` slots (1..64), sized by the first claim")
      .def_static("adopt", &SharedSlots::adopt, py::arg("fd"),
                  "shares the file behind `fd`, which it takes over (closes when done)")
      .def_property_readonly("fd", &SharedSlots::fd)
      .def_property_readonly("slots", &SharedSlots::slots)
      .def_property_readonly("id", &SharedSlots::id, "random identity, the same in every process sharing the file")
      .def_property_readonly("slot_bytes", &SharedSlots::slot_bytes, "bytes per slot (0 before the first claim)")
      .def(
          "claim",
          [](SharedSlots& s, const std::vector<py::ssize_t>& shape, std::size_t capacity) -> py::object {
            auto lease = s.claim(bytes_of(shape), capacity);
            if (!lease) return py::none();
            const int slot = lease->slot();
            const std::uint64_t ticket = lease->ticket();
            return py::make_tuple(slot, ticket, array_of(std::move(lease), shape));
          },
          py::arg("shape"), py::arg("capacity"),
          "claim(shape, capacity) -> (slot, ticket, array) or None when no slot is free\n\n"
          "The array (uninitialized uint8 of `shape`) is the writer's; dropping it before send() frees the slot. "
          "capacity sizes every slot on the first claim.")
      .def("send", &SharedSlots::send, py::arg("slot"), py::arg("ticket"),
           "marks a claimed slot as handed to a reader; False if it no longer holds that ticket")
      .def(
          "take",
          [](SharedSlots& s, int slot, std::uint64_t ticket, const std::vector<py::ssize_t>& shape) {
            return array_of(s.take(slot, ticket, bytes_of(shape)), shape);
          },
          py::arg("slot"), py::arg("ticket"), py::arg("shape"),
          "take(slot, ticket, shape) -> array: the reader's view of a sent slot; the slot is freed when the array "
          "(and every view of it) is gone")
      .def("states", &SharedSlots::states, "the state word of every slot (0: free)")
      .def_property_readonly(
          "stats",
          [](const SharedSlots& s) {
            const SharedSlots::Stats st = s.stats();
            py::dict d;
            d["claimed"] = st.claimed;
            d["full"] = st.full;
            d["reclaimed"] = st.reclaimed;
            return d;
          },
          "counts over every process: claims served, claims that found no slot, slots reclaimed from dead writers");
}

}  // namespace fdsl::python
