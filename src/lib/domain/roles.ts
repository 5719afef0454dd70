// Roles and profiles (DESIGN.md workflow A): a role grants a set of profiles, a profile is a named
// configuration file. What the database modules and the pages share, with no storage in it.
import { LIST_NAME_MAX, LIST_SEPARATOR, listNames } from './fields';
import { fail, ok, type Parsed } from './result';
import { foldText, parseText } from './text';
import { MB, formatBytes } from './settings';

/**
 * The largest profile kept. Configuration files (a .mobileconfig, an .ovpn, a JSON policy) are a few
 * kilobytes; each is kept whole in IndexedDB and carried in every backup as base64 (a third larger), so a
 * megabyte leaves room for a signed profile with its certificates while a stray video is refused.
 */
export const PROFILE_MAX_BYTES = 1 * MB;

/** Why a file cannot be a profile (too big), naming it and its size; undefined when it can. */
export function profileSizeProblem(
	fileName: string,
	bytes: number,
	maxBytes = PROFILE_MAX_BYTES
): string | undefined {
	if (bytes <= maxBytes) return undefined;
	let size = formatBytes(bytes);
	const limit = formatBytes(maxBytes);
	// 1.04 MB must not read as '1 MB; the limit is 1 MB'.
	if (size === limit) size = `${(bytes / MB).toFixed(2)} MB`;
	return `“${fileName}” is ${size}: a profile may be at most ${limit}.`;
}

/**
 * Reads the name of a role or a profile: cleaned, at most LIST_NAME_MAX characters. A role's name is kept
 * in users' 'Roles' value, where ';' separates names, so a role's name cannot hold one.
 */
export function parseName(raw: string, what: 'role' | 'profile'): Parsed<string> {
	const label = what === 'role' ? 'The role’s name' : 'The profile’s name';
	const parsed = parseText(raw, label, LIST_NAME_MAX);
	if (!parsed.ok) return parsed;
	if (parsed.value === '') return fail(`${label} is empty: type one.`);
	if (what === 'role' && parsed.value.includes(';')) {
		return fail(`${label} cannot contain “;”: it separates roles in a list.`);
	}
	return ok(parsed.value);
}

/** A list value with `from` (case and accents aside) spelt `to` instead, or removed when `to` is undefined. */
export function replaceName(value: string | undefined, from: string, to: string | undefined): string {
	const key = foldText(from);
	const names: string[] = [];
	for (const name of listNames(value)) {
		const next = foldText(name) === key ? to : name;
		if (next !== undefined && !names.some((kept) => foldText(kept) === foldText(next))) names.push(next);
	}
	return names.join(LIST_SEPARATOR);
}

/** A list value with `name` added at its end (kept once). */
export function addName(value: string | undefined, name: string): string {
	const names = listNames(value);
	const key = foldText(name);
	return names.some((kept) => foldText(kept) === key)
		? names.join(LIST_SEPARATOR)
		: [...names, name].join(LIST_SEPARATOR);
}

/** The ids of the profiles granted by any of the roles, each once, in the roles' order. */
export function grantedProfileIds(roles: readonly { profileIds: readonly number[] }[]): number[] {
	return [...new Set(roles.flatMap((role) => role.profileIds))];
}

/**
 * A list value's role names each in the role's own spelling, or the first name no role has. An import (or
 * a form) naming a role that does not exist is refused rather than creating the role: a role means access
 * to profiles, and a typo in a file ('Admins' for 'Admin') must not quietly make a new, empty role that
 * the admin then grants something by mistake, nor leave the person without the access the file meant.
 */
export function knownRoleNames(
	value: string | undefined,
	roleNames: ReadonlyMap<string, string>
): Parsed<string> {
	const spelt: string[] = [];
	for (const name of listNames(value)) {
		const own = roleNames.get(foldText(name));
		if (own === undefined) return fail(name);
		if (!spelt.includes(own)) spelt.push(own);
	}
	return ok(spelt.join(LIST_SEPARATOR));
}

/** A file's bytes as base64 text (the stored form of a profile: see ProfileRow.content). */
export function toBase64(bytes: Uint8Array): string {
	let binary = '';
	// In slices: one String.fromCharCode over a megabyte of arguments overflows the call stack.
	for (let i = 0; i < bytes.length; i += 0x8000) {
		binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	}
	return btoa(binary);
}

/** The bytes base64 text stands for. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
	const binary = atob(text);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

/** Whether text is base64 as toBase64 writes it (a profile's content read from a backup is checked so). */
export const isBase64 = (text: string) => text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/u.test(text);

/**
 * The first role (by its place among `roles`) granting a profile that is not among `profiles` of its
 * customer, with that profile's id: a backup holding one is refused, as the role would grant nothing.
 */
export function roleWithMissingProfile(
	roles: readonly { customerId: number; name: string; profileIds: readonly number[] }[],
	profiles: readonly { id: number; customerId: number }[]
): { index: number; name: string; profileId: number } | undefined {
	const owner = new Map(profiles.map((profile) => [profile.id, profile.customerId]));
	for (const [index, role] of roles.entries()) {
		const profileId = role.profileIds.find((id) => owner.get(id) !== role.customerId);
		if (profileId !== undefined) return { index, name: role.name, profileId };
	}
	return undefined;
}
