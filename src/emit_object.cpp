// Object emission that keeps the module's data layout.
//
// LLVM's C API (LLVMTargetMachineEmitToMemoryBuffer) replaces the module's
// data layout with the target's default before code generation. numba-wasm
// compiles with `p:32:64` (4-byte pointers, 8-byte aligned, see
// src/rewrite/retarget.rs); with the default `p:32:32`, constant structs such
// as Numba's excinfo would be laid out differently from what the code and
// the host glue read. This is the same code path without that reset.
#include <cstring>

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/CodeGen.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

extern "C" int nw_emit_object(LLVMTargetMachineRef tm, LLVMModuleRef m, LLVMMemoryBufferRef *out,
                              char **error) {
  auto *machine = reinterpret_cast<llvm::TargetMachine *>(tm);
  auto *module = reinterpret_cast<llvm::Module *>(m);
  llvm::SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream stream(bytes);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    *error = strdup("the wasm32 target cannot emit object files");
    return 1;
  }
  passes.run(*module);
  *out = LLVMCreateMemoryBufferWithMemoryRangeCopy(bytes.data(), bytes.size(), "object");
  return 0;
}

// LLVM reports some errors by printing "LLVM ERROR: ..." and aborting the
// process (report_fatal_error, and report_bad_alloc_error for allocation
// failures, which corrupt bitcode can trigger). numba-wasm installs `report`
// for both; it prints the error as numba-wasm's own and exits with status 1.
#include <llvm/Support/ErrorHandling.h>

static void (*nw_report)(const char *) = nullptr;

extern "C" void nw_install_llvm_error_handlers(void (*report)(const char *)) {
  nw_report = report;
  llvm::install_fatal_error_handler([](void *, const char *reason, bool) { nw_report(reason); },
                                    nullptr);
  llvm::install_bad_alloc_error_handler([](void *, const char *reason, bool) { nw_report(reason); },
                                        nullptr);
}
