#ifndef TL_BANNED_H
#define TL_BANNED_H
/*
 * Calls that are easy to misuse with user data, turned into compile errors
 * (after git's banned.h). Use tl_buf, snprintf with a checked result,
 * strtol/strtod with end checks, and gmtime_r instead.
 */
#define TL_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) TL_BANNED(strcpy)
#undef strcat
#define strcat(x, y) TL_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) TL_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) TL_BANNED(strncat)
#undef sprintf
#define sprintf(...) TL_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) TL_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) TL_BANNED(strtok)
#undef gmtime
#define gmtime(t) TL_BANNED(gmtime)
#undef localtime
#define localtime(t) TL_BANNED(localtime)
#undef atoi
#define atoi(x) TL_BANNED(atoi)
#undef atol
#define atol(x) TL_BANNED(atol)
#undef gets
#define gets(x) TL_BANNED(gets)

#endif
