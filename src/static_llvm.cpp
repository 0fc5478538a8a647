// Linked only into the static-LLVM build (build.rs, not `dynamic-llvm`).
//
// Debian's LLVM lists Polly as a static extension of its pass pipelines
// (LTO names getPollyPluginInfo) but ships it only as a plugin,
// LLVMPolly.so, with no static library. numba-wasm never enables Polly;
// this registers no passes.
#include <llvm/Plugins/PassPlugin.h>

llvm::PassPluginLibraryInfo getPollyPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "Polly", "not linked into numba-wasm",
          [](llvm::PassBuilder &) {}};
}
