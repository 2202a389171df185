/*
 * text.h — UTF-8 helpers for matching what people type on a phone.
 *
 * Pure functions: no allocation, bounded output, never read past a NUL.
 */
#ifndef JOURD_TEXT_H
#define JOURD_TEXT_H

#include "common.h"

/* What text_decode() gives for an invalid or truncated sequence. */
#define TEXT_BAD	0xFFFFFFFFu

/*
 * Decodes one code point from at most avail bytes at s into *cp (TEXT_BAD
 * for an invalid or truncated sequence) and returns the bytes consumed,
 * which is 1 for anything invalid so that the caller resynchronises on the
 * next byte (0 only when avail is 0). A NUL stops a sequence because it is
 * no continuation byte.
 */
size_t text_decode(const unsigned char *s, size_t avail, uint32_t *cp);

/*
 * Folds UTF-8 text for matching: ASCII letters to upper case, Latin letters
 * with diacritics to their base letter (å ä á à â → A, ö ó ò ô ø → O, é è ê ë
 * → E, ü ú ù û → U, í ì î ï → I, ç → C, ñ → N, ý ÿ → Y), other code points and
 * invalid bytes to '?'. Writes at most outsz - 1 bytes and a NUL; returns the
 * length written.
 */
size_t text_fold(const char *in, char *out, size_t outsz);

/* As text_fold, but folds at most inlen bytes of in (stopping at a NUL). */
size_t text_fold_n(const char *in, size_t inlen, char *out, size_t outsz);

/*
 * FNV-1a over the bytes of s: stable across versions, for the inbox's
 * deduplication key (stored) and the import's duplicate index. Its offset
 * basis is the one the stored keys were made with, one digit short of the
 * published FNV-64 value: keep it, or the keys of SMS already committed
 * would change.
 */
#define TEXT_HASH_BASIS	1469598103934665603ULL
uint64_t text_hash(const char *s);

/* The published FNV-64 offset basis, which the refused PIN's key uses. */
#define TEXT_HASH_FNV64	14695981039346656037ULL

/* FNV-1a continued from h over the bytes of s: text_hash is it from
 * TEXT_HASH_BASIS. */
uint64_t text_hash_more(uint64_t h, const char *s);

/* True when a and b are equal after text_fold (case and diacritics ignored). */
bool text_equal_folded(const char *a, const char *b);

/* True when the len bytes at s are well-formed UTF-8 (no overlongs, no surrogates). */
bool text_valid_utf8(const char *s, size_t len);

/*
 * Copies at most outsz - 1 bytes of in to out without cutting a UTF-8
 * sequence in half; always NUL-terminates (when outsz > 0). Returns the
 * number of bytes copied.
 */
size_t text_copy(char *out, size_t outsz, const char *in);

/* Number of code points in a NUL-terminated UTF-8 string (invalid bytes count one each). */
size_t text_codepoints(const char *s);

/*
 * The one normalisation of text people type, applied before anything reads
 * it: copies at most inlen bytes of in (stopping at a NUL) to out with
 *  - digits of every script and compatibility forms (fullwidth letters,
 *    mathematical bold digits, superscripts, circled numbers) made ASCII;
 *  - every kind of white space (tab, newline, no-break and typographic
 *    spaces, line separators) read as a space, runs of it made one space,
 *    leading and trailing white space dropped;
 *  - every dash, hyphen and minus made '-'; invisible format characters
 *    (zero-width, bidirectional marks, soft hyphen, byte-order mark) dropped;
 *  - a Latin letter followed by a combining mark made the precomposed letter
 *    (A + U+0308 is Ä);
 *  - control characters (C0, DEL, C1) and invalid UTF-8 made U+FFFD, the
 *    replacement character (never '?', which is a word: HJÄLP).
 * Cuts only between code points; writes at most outsz - 1 bytes and a NUL,
 * so out is always valid UTF-8 without controls. Cleaning cleaned text
 * changes nothing. Returns the length written.
 */
size_t text_clean(char *out, size_t outsz, const char *in, size_t inlen);

#endif
