/* libFuzzer target: the .env parser. */
#include <stddef.h>
#include <stdint.h>

#include "base/dotenv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dotenv env = { NULL, 0 };
	char err[256];

	if (dotenv_parse((const char *)data, size, &env, err, sizeof(err)) == 0)
		dotenv_get(&env, "DATABASE_URL");
	dotenv_free(&env);
	return 0;
}
