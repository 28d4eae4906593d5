# One place for compiler flags that apply to pcanno's own targets only.
option(PCANNO_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(PCANNO_WERROR "Treat warnings in pcanno's own code as errors" OFF)

function(pcanno_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports every std::variant of structs holding std::optional (formats::DocumentEdit) as
    # "maybe uninitialized" at -O2 (GCC bug 105562 and relatives); clang and ASan builds check
    # the real thing.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
  if(PCANNO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PCANNO_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    # PUBLIC: whoever links a sanitized static library needs the sanitizer runtimes too.
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()
