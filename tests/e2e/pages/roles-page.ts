import { expect, type Locator, type Page } from '@playwright/test';

/** A file to upload: a name and its bytes. */
export interface UploadFile {
	name: string;
	mimeType: string;
	buffer: Buffer;
}

/** The Roles & profiles page (/roles): profiles uploaded, replaced, downloaded; roles granting them. */
export class RolesPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly profiles: Locator;
	readonly roles: Locator;
	/** What the last change did ("Profile VPN added."), or why not (an alert). */
	readonly notice: Locator;
	readonly problem: Locator;
	/** The open confirm dialog. */
	readonly dialog: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Roles & profiles' });
		this.profiles = page.getByRole('region', { name: 'Profiles' });
		this.roles = page.getByRole('region', { name: 'Roles' });
		this.notice = page.getByRole('main').getByRole('status');
		this.problem = page.getByRole('main').getByRole('alert');
		this.dialog = page.getByRole('dialog');
	}

	async goto(): Promise<void> {
		await this.page.goto('/roles');
		await expect(this.heading).toBeVisible();
	}

	/** Uploads a file as a profile under a name. */
	async upload(name: string, file: UploadFile): Promise<void> {
		await this.profiles.getByLabel('File', { exact: true }).setInputFiles(file);
		await this.profiles.getByLabel('Profile name').fill(name);
		await this.profiles.getByRole('button', { name: 'Upload profile' }).click();
	}

	/** The profile's entry in the list. */
	profile(name: string): Locator {
		return this.profiles.getByRole('listitem').filter({ hasText: name });
	}

	async replace(name: string, file: UploadFile): Promise<void> {
		await this.profiles.getByLabel(`New file for ${name}`).setInputFiles(file);
	}

	async addRole(name: string): Promise<void> {
		await this.roles.getByLabel('Name of a new role').fill(name);
		await this.roles.getByRole('button', { name: 'Add role' }).click();
		await expect(this.role(name)).toBeVisible();
	}

	/** A role's entry: its name, members, and the profiles it grants (checkboxes). */
	role(name: string): Locator {
		return this.roles.getByRole('listitem', { name, exact: true });
	}

	grants(role: string, profile: string): Locator {
		return this.role(role).getByRole('checkbox', { name: profile, exact: true });
	}
}
