// SPDX-License-Identifier: GPL-2.0-only
/* The smallest static program: what fork+exec benchmarks execute. */
int main(void)
{
	return 0;
}
