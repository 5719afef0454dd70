import { expect, type Locator, type Page } from '@playwright/test';
import { nameOf, type Person } from './people';

/** The Add user page (/users/new), driven through its labels. */
export class AddUserPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly submit: Locator;
	/** The notice after a user was added: "<Name> was added as Pending." */
	readonly added: Locator;
	/** The summary above the form when saving was refused. */
	readonly problems: Locator;
	readonly cancel: Locator;
	readonly sendActivation: Locator;
	readonly sendSms: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Add user' });
		this.submit = page.getByRole('button', { name: 'Add user' });
		this.added = page.getByRole('status').filter({ hasText: 'was added as Pending.' });
		this.problems = page.getByRole('alert');
		this.cancel = page.getByRole('main').getByRole('button', { name: 'Cancel' });
		this.sendActivation = page.getByRole('checkbox', { name: 'Send activation email now' });
		this.sendSms = page.getByRole('checkbox', { name: 'Send login details by SMS' });
	}

	async goto(): Promise<void> {
		await this.page.goto('/users/new');
		await expect(this.heading).toBeVisible();
		await expect(this.field('Email')).toBeVisible();
	}

	/** A form control by its label ("Last name" also finds "Last name (required)"). */
	field(label: string): Locator {
		return this.page.getByRole('main').getByLabel(label, { exact: false }).first();
	}

	/** The live mark under a field: the element its aria-describedby names first. */
	async mark(label: string): Promise<Locator> {
		const input = this.field(label);
		await expect(input).toHaveAttribute('aria-describedby', /-mark/);
		const [markId] = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
		return this.page.locator(`[id="${markId}"]`);
	}

	/**
	 * Fills the person's names and email, once the form shows: clicked to from Settings, the page before
	 * may still be on screen, and its field policy has a "First name" too (a busy machine filled that).
	 */
	async fill(person: Partial<Person>): Promise<void> {
		await expect(this.heading).toBeVisible();
		if (person.firstName !== undefined) await this.field('First name').fill(person.firstName);
		if (person.lastName !== undefined) await this.field('Last name').fill(person.lastName);
		if (person.email !== undefined) await this.field('Email').fill(person.email);
	}

	/** Fills the form, clicks Add user and waits for the notice naming the person. */
	async add(person: Person): Promise<void> {
		await this.fill(person);
		await this.submit.click();
		await expect(this.added).toHaveText(new RegExp(`^\\s*${escape(nameOf(person))} was added as Pending\\.`));
	}

	/** Adds everyone, one after the other, on this page. */
	async addAll(people: Person[]): Promise<void> {
		for (const person of people) await this.add(person);
	}
}

export function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
