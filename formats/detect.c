/* Which reader a report needs, from its first bytes. */
#include "formats/report.h"

#include <string.h>

#include "core/banned.h"

const char *tl_report_detect(FILE *f, const char *name, struct tl_err *err)
{
	unsigned char head[512];
	size_t n = fread(head, 1, sizeof(head), f), i = 0;
	if (ferror(f))
		return tl_err_set(err, TL_EIO, "%s: read error", name), NULL;
	if (n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf)
		i = 3;
	while (i < n && head[i] && strchr(" \t\r\n", head[i]))
		i++;
	/* put the bytes back: the reader starts from the top */
	if (fseek(f, 0, SEEK_SET)) {
		tl_err_set(err, TL_EUSAGE,
			"%s: cannot detect the format of a pipe; give --format",
			name);
		return NULL;
	}
	if (i == n) {
		tl_err_set(err, TL_EINVALID, "%s:1:1: empty file", name);
		return NULL;
	}
	if (head[i] == '<') {
		/* the root element: the first one that is not <?...?> or <!...>
		 */
		for (size_t k = i; k + 1 < n; k++) {
			const char *e = (const char *)head + k + 1;
			if (head[k] != '<' || head[k + 1] == '?' ||
				head[k + 1] == '!')
				continue;
			if (!strncmp(e, "TestRun", 7))
				return "trx";
			if (!strncmp(e, "test-run", 8) ||
				!strncmp(e, "test-results", 12))
				return "nunit";
			if (!strncmp(e, "assembl", 7))
				return "xunit";
			break;
		}
		return "junit";
	}
	if (head[i] == '[')
		return "json-array"; /* Cucumber writes an array of features */
	if (head[i] == '{')
		return "json";
	return "tap";
}
