// SPDX-License-Identifier: GPL-2.0-only
/*
 * What bpf() may do once sealed. Two threats:
 *   - undoing Citadel: commands that reach its programs, links or maps,
 *     and new descriptors for them;
 *   - going around it: program types that run after Citadel decided and
 *     can change the outcome. A cgroup sock_addr program rewrites the
 *     address of an allowed connect() or sendmsg(); tc, XDP, LWT,
 *     sk_msg/sk_skb, sk_lookup, sockopt and sysctl programs rewrite or
 *     redirect packets, sockets or values; fmod_ret programs on security_*
 *     functions replace an LSM decision; freplace programs replace another
 *     program's code. These are refused, by program type when loaded and
 *     by attach type when attached, so a program loaded before the seal
 *     cannot be attached after it either.
 *   - an LSM program on one of the hooks Citadel holds: the trampoline
 *     runs the newest program first and stops at the first non-zero
 *     return, and 6.1's verifier lets an LSM program return a positive
 *     value, which callers such as __sys_bpf() take for success: one
 *     program returning 1 on lsm/bpf would switch the bpf() checks here
 *     off. LSM programs on other hooks still load.
 * What stays: programs that can only observe or refuse more (socket
 * filters, cgroup skb and device programs, LSM programs, tracepoints,
 * perf events, fentry/fexit, iterators): systemd's IPAddressAllow=,
 * DeviceAllow= and RestrictFileSystems= keep working.
 */
#include "common.h"

#include <linux/bpf.h>
#include <linux/file.h>
#include <linux/fs.h>

#include "citadel_task.h"
#include "counters.h"
#include "seal.h"

/* Whether descriptor @fd of the calling task is one of Citadel's. */
static bool fd_is_ours(u32 fd)
{
	struct file *f = fget(fd);
	bool ours;

	if (!f)
		return false;
	ours = citadel_seal_holds(f->private_data);
	fput(f);
	return ours;
}

/* Program types a sealed device still loads: none can change a decision. */
static bool prog_type_allowed(u32 type, u32 expected_attach_type)
{
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_DEVICE:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_PERF_EVENT:
	case BPF_PROG_TYPE_SYSCALL:	/* its bpf() calls come back here */
		return true;
	case BPF_PROG_TYPE_TRACING:
		return expected_attach_type != BPF_MODIFY_RETURN;
	default:
		return false;
	}
}

/* Attach types a sealed device still attaches (bpf() PROG_ATTACH, LINK_CREATE). */
static bool attach_type_allowed(u32 type)
{
	switch (type) {
	case BPF_CGROUP_INET_INGRESS:
	case BPF_CGROUP_INET_EGRESS:
	case BPF_CGROUP_DEVICE:
	case BPF_TRACE_RAW_TP:
	case BPF_TRACE_FENTRY:
	case BPF_TRACE_FEXIT:
	case BPF_LSM_MAC:
	case BPF_LSM_CGROUP:
	case BPF_TRACE_ITER:
	case BPF_PERF_EVENT:
		return true;
	default:
		return false;
	}
}

/*
 * A tracing or LSM program is attached by what it was loaded for,
 * whatever the attach type passed: fmod_ret, freplace and LSM programs
 * on Citadel's hooks loaded before the seal are found by descriptor.
 */
static bool prog_fd_replaces(u32 fd)
{
	struct bpf_prog *prog;
	bool hit;

	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_TRACING, false);
	if (!IS_ERR(prog)) {
		hit = prog->expected_attach_type == BPF_MODIFY_RETURN;
		bpf_prog_put(prog);
		return hit;
	}
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_LSM, false);
	if (!IS_ERR(prog)) {
		hit = citadel_seal_holds_hook(prog->aux->attach_btf_id);
		bpf_prog_put(prog);
		return hit;
	}
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_EXT, false);
	if (!IS_ERR(prog)) {
		bpf_prog_put(prog);
		return true;
	}
	return false;
}

static int refuse_cmd(const char *cmd, const char *why)
{
	char buf[112];

	snprintf(buf, sizeof(buf), "bpf %s %s", cmd, why);
	return citadel_seal_refuse(CITADEL_OP_BPF, buf);
}

/* The names bpftool uses, for the types refused. */
static const char *prog_type_name(u32 type)
{
	static const char *const names[] = {
		[BPF_PROG_TYPE_KPROBE] = "kprobe",
		[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
		[BPF_PROG_TYPE_SCHED_ACT] = "sched_act",
		[BPF_PROG_TYPE_XDP] = "xdp",
		[BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
		[BPF_PROG_TYPE_LWT_IN] = "lwt_in",
		[BPF_PROG_TYPE_LWT_OUT] = "lwt_out",
		[BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
		[BPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
		[BPF_PROG_TYPE_SK_SKB] = "sk_skb",
		[BPF_PROG_TYPE_SK_MSG] = "sk_msg",
		[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
		[BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local",
		[BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
		[BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
		[BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
		[BPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
		[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
		[BPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt",
		[BPF_PROG_TYPE_TRACING] = "fmod_ret",
		[BPF_PROG_TYPE_STRUCT_OPS] = "struct_ops",
		[BPF_PROG_TYPE_EXT] = "freplace",
		[BPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
	};

	return type < ARRAY_SIZE(names) && names[type] ? names[type] : "new";
}

static int refuse_prog_type(u32 type)
{
	char buf[80];

	snprintf(buf, sizeof(buf), "of a %s program (type %u), which could change a decision",
		 prog_type_name(type), type);
	return refuse_cmd("BPF_PROG_LOAD", buf);
}

static int refuse_attach_type(const char *cmd, u32 type)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "with attach type %u, which could change a decision",
		 type);
	return refuse_cmd(cmd, buf);
}

/* BPF_PROG_LOAD, _ATTACH, LINK_CREATE, RAW_TRACEPOINT_OPEN of other programs. */
static int decide_load_or_attach(int cmd, const union bpf_attr *attr)
{
	switch (cmd) {
	case BPF_PROG_LOAD:
		if (attr->attach_prog_fd && fd_is_ours(attr->attach_prog_fd))
			return refuse_cmd("BPF_PROG_LOAD", "on a Citadel object");
		if (!prog_type_allowed(attr->prog_type,
				       attr->expected_attach_type))
			return refuse_prog_type(attr->prog_type);
		if (attr->prog_type == BPF_PROG_TYPE_LSM &&
		    citadel_seal_holds_hook(attr->attach_btf_id))
			return refuse_cmd("BPF_PROG_LOAD",
					  "of an LSM program on a hook Citadel holds (its return could skip Citadel's)");
		return CITADEL_ALLOW;
	case BPF_PROG_ATTACH:
		if (attr->attach_bpf_fd && fd_is_ours(attr->attach_bpf_fd))
			return refuse_cmd("BPF_PROG_ATTACH", "on a Citadel object");
		if (!attach_type_allowed(attr->attach_type))
			return refuse_attach_type("BPF_PROG_ATTACH",
						  attr->attach_type);
		return CITADEL_ALLOW;
	case BPF_LINK_CREATE:
		if (fd_is_ours(attr->link_create.prog_fd) ||
		    (attr->link_create.target_fd &&
		     fd_is_ours(attr->link_create.target_fd)))
			return refuse_cmd("BPF_LINK_CREATE", "on a Citadel object");
		if (!attach_type_allowed(attr->link_create.attach_type))
			return refuse_attach_type("BPF_LINK_CREATE",
						  attr->link_create.attach_type);
		if (prog_fd_replaces(attr->link_create.prog_fd))
			return refuse_cmd("BPF_LINK_CREATE",
					  "of an fmod_ret, freplace or LSM program that could skip Citadel's");
		return CITADEL_ALLOW;
	case BPF_RAW_TRACEPOINT_OPEN:
		if (prog_fd_replaces(attr->raw_tracepoint.prog_fd))
			return refuse_cmd("BPF_RAW_TRACEPOINT_OPEN",
					  "of an fmod_ret, freplace or LSM program that could skip Citadel's");
		return CITADEL_ALLOW;
	}
	return CITADEL_ALLOW;
}

/*
 * The bpf() commands that take a Citadel program, link or map by
 * descriptor and change it. Tracing links cannot be detached or updated
 * at all on these kernels; refusing those too is belt and braces, and
 * makes the attempt an event. New descriptors for Citadel's programs and
 * maps are refused in citadel_seal_bpf_prog() and citadel_seal_bpf_map().
 */
int citadel_seal_bpf(int cmd, const union bpf_attr *attr)
{
	static const char *const what[] = {
		[BPF_MAP_UPDATE_ELEM] = "BPF_MAP_UPDATE_ELEM",
		[BPF_MAP_DELETE_ELEM] = "BPF_MAP_DELETE_ELEM",
		[BPF_MAP_LOOKUP_AND_DELETE_ELEM] = "BPF_MAP_LOOKUP_AND_DELETE_ELEM",
		[BPF_MAP_FREEZE] = "BPF_MAP_FREEZE",
		[BPF_MAP_UPDATE_BATCH] = "BPF_MAP_UPDATE_BATCH",
		[BPF_MAP_DELETE_BATCH] = "BPF_MAP_DELETE_BATCH",
		[BPF_MAP_LOOKUP_AND_DELETE_BATCH] = "BPF_MAP_LOOKUP_AND_DELETE_BATCH",
		[BPF_LINK_UPDATE] = "BPF_LINK_UPDATE",
		[BPF_LINK_DETACH] = "BPF_LINK_DETACH",
		[BPF_PROG_DETACH] = "BPF_PROG_DETACH",
		[BPF_PROG_BIND_MAP] = "BPF_PROG_BIND_MAP",
	};
	bool hit;

	if (!citadel_sealed() || !attr)
		return CITADEL_ALLOW;
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
	case BPF_MAP_FREEZE:
		hit = fd_is_ours(attr->map_fd);
		break;
	case BPF_MAP_UPDATE_BATCH:
	case BPF_MAP_DELETE_BATCH:
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		hit = fd_is_ours(attr->batch.map_fd);
		break;
	case BPF_LINK_UPDATE:
		hit = fd_is_ours(attr->link_update.link_fd);
		break;
	case BPF_LINK_DETACH:
		hit = fd_is_ours(attr->link_detach.link_fd);
		break;
	case BPF_PROG_DETACH:
		hit = attr->attach_bpf_fd && fd_is_ours(attr->attach_bpf_fd);
		break;
	case BPF_PROG_BIND_MAP:
		hit = fd_is_ours(attr->prog_bind_map.prog_fd) ||
		      fd_is_ours(attr->prog_bind_map.map_fd);
		break;
	case BPF_PROG_LOAD:
	case BPF_PROG_ATTACH:
	case BPF_LINK_CREATE:
	case BPF_RAW_TRACEPOINT_OPEN:
		return decide_load_or_attach(cmd, attr);
	default:
		return CITADEL_ALLOW;
	}
	if (!hit)
		return CITADEL_ALLOW;
	return refuse_cmd(what[cmd], "on a Citadel object");
}

/* A new descriptor for one of Citadel's maps or programs. */
static int new_fd(const void *obj, const char *kind, const char *name,
		  int len)
{
	char buf[80];

	if (!citadel_seal_holds(obj))
		return CITADEL_ALLOW;
	snprintf(buf, sizeof(buf), "bpf new fd for Citadel %s %.*s", kind,
		 len, name);
	return citadel_seal_refuse(CITADEL_OP_BPF, buf);
}

int citadel_seal_bpf_map(const struct bpf_map *map)
{
	return new_fd(map, "map", map->name, sizeof(map->name));
}

int citadel_seal_bpf_prog(const struct bpf_prog *prog)
{
	return new_fd(prog, "program", prog->aux->name,
		      sizeof(prog->aux->name));
}
