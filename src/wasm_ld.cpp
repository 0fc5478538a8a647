// lld's WebAssembly linker, in process: the same driver as the `wasm-ld`
// command, so numba-wasm needs no linker installed next to it.
//
// lldMain runs the driver under a CrashRecoveryContext, enabled around the
// link as lld's own main does: lld's fatal errors, which would otherwise
// exit the process, and crashes inside lld come back here as a failed link.
// Crashes anywhere else kill the worker process that main.rs supervises.
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include <lld/Common/Driver.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/raw_ostream.h>

LLD_HAS_DRIVER(wasm)

// Runs `wasm-ld argv...` (argv[0] names the flavor). Returns lld's exit
// code; `*messages` gets everything lld printed (malloc'd, caller frees);
// `*can_run_again` is 0 after a fatal error, when lld's state is not reset.
extern "C" int nw_wasm_ld(const char *const *argv, size_t argc, char **messages,
                          int *can_run_again) {
  std::vector<const char *> args(argv, argv + argc);
  std::string text;
  llvm::raw_string_ostream stream(text);
  llvm::CrashRecoveryContext::Enable();
  lld::Result result = lld::lldMain(args, stream, stream, {{lld::Wasm, &lld::wasm::link}});
  llvm::CrashRecoveryContext::Disable();
  stream.flush();
  *messages = strdup(text.c_str());
  *can_run_again = result.canRunAgain ? 1 : 0;
  return result.retCode;
}
