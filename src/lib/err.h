/* err.h — the one error convention of hafen, and the helpers that carry it.
 *
 * Return values, everywhere in src/:
 *
 *   Incremental readers (parsers fed bytes as they arrive):
 *       1   an item is complete (a command, a response, a message part)
 *       0   need more input: feed more bytes and call again
 *      -1   error: *error_r says what, in words fit for a protocol reply
 *
 *   Other functions that can fail:
 *       0   success (or a count >= 0 where the header says so)
 *      -1   failure; if the function takes `const char **error_r`, it is set
 *           to a message that stays valid at least until the next call on
 *           the same object (static text, or memory owned by that object or
 *           by the arena the caller passed).
 *
 *   The store returns a negative `enum store_err` with store_strerror(),
 *   because its callers must tell "no such mailbox" from "disk full".
 *
 * Out of memory is not an error a caller handles: the x*alloc() helpers in
 * mem.h abort loudly. Only main()-level code exits; libraries return.
 */
#ifndef HAFEN_LIB_ERR_H
#define HAFEN_LIB_ERR_H

#define HF_DONE 1
#define HF_MORE 0
#define HF_ERR  (-1)

#if defined(__GNUC__)
#define HF_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define HF_NORETURN          __attribute__((noreturn))
#define HF_UNUSED            __attribute__((unused))
#define HF_WARN_UNUSED       __attribute__((warn_unused_result))
#else
#define HF_PRINTF(fmt, args)
#define HF_NORETURN
#define HF_UNUSED
#define HF_WARN_UNUSED
#endif

#define HF_N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* Abort with a message; for broken invariants and out-of-memory only. */
HF_NORETURN void hf_panic(const char *fmt, ...) HF_PRINTF(1, 2);

#endif
