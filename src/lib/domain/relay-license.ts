import { listNames, products } from './fields';
import type { LicenseFacts } from './relay-protocol';
import type { Computer, User } from './user';

/**
 * The user's license as the relay learns it (with their messages, and in 'license' commands), or
 * undefined when they have no key. Web access is only in force for someone whose license the admin
 * manages (a product, or web access turned on): a directory that never uses licenses keeps signing in
 * at the relay as it did before they existed.
 */
export function licenseFacts(
	user: Pick<User, 'licenseKey' | 'entitlements' | 'webAccess'>
): LicenseFacts | undefined {
	if (!user.licenseKey) return undefined;
	const named = new Set(listNames(user.entitlements).map((name) => name.toLowerCase()));
	const entitlements = products.filter((product) => named.has(product.toLowerCase()));
	const isManaged = entitlements.length > 0 || user.webAccess === true;
	return {
		licenseKey: user.licenseKey,
		entitlements,
		...(isManaged ? { webAccess: user.webAccess === true } : {})
	};
}

/** Whether the relay must learn the user's license again: a new key, other products, web access switched. */
export function licenseChanged(
	before: Pick<User, 'licenseKey' | 'entitlements' | 'webAccess'>,
	after: Pick<User, 'licenseKey' | 'entitlements' | 'webAccess'>
): boolean {
	return JSON.stringify(licenseFacts(before) ?? null) !== JSON.stringify(licenseFacts(after) ?? null);
}

/**
 * What a 'license' command tells the relay after the user changed from `before` to `after`, or undefined
 * when it need not hear anything. An admin who switches web access said so on purpose: the command then
 * carries web access even for a user no longer managed (no product, switched off), since a missing value
 * reads at the relay as "never told: on" and the switch would otherwise do nothing there.
 */
export function licenseUpdate(
	before: Pick<User, 'licenseKey' | 'entitlements' | 'webAccess'>,
	after: Pick<User, 'licenseKey' | 'entitlements' | 'webAccess'>
): LicenseFacts | undefined {
	if (!licenseChanged(before, after)) return undefined;
	const facts = licenseFacts(after);
	const switched = (before.webAccess === true) !== (after.webAccess === true);
	return facts && switched ? { ...facts, webAccess: after.webAccess === true } : facts;
}

/** The user's computers after the relay reported `name` activated at `at` (a report seen twice changes nothing). */
export function withComputer(
	computers: readonly Computer[] | undefined,
	name: string,
	at: number
): Computer[] {
	const list = computers ?? [];
	const key = name.toLowerCase();
	if (list.some((computer) => computer.name.toLowerCase() === key)) return [...list];
	return [...list, { name, activatedAt: at }];
}

/** The user's computers after the relay freed `name`'s slot. */
export function withoutComputer(computers: readonly Computer[] | undefined, name: string): Computer[] {
	const key = name.toLowerCase();
	return (computers ?? []).filter((computer) => computer.name.toLowerCase() !== key);
}

/** A key shown in its groups, each group apart, for reading aloud ('7KQ2M', 'X9DPR', ...). */
export function keyGroups(key: string): string[] {
	return key.split('-').filter(Boolean);
}
