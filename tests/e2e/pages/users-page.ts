import { expect, type Locator, type Page } from '@playwright/test';

/** The Users list (/): the grid, its toolbar, the Action menu and its confirm dialogs. */
export class UsersPage {
	readonly page: Page;
	readonly heading: Locator;
	readonly grid: Locator;
	readonly search: Locator;
	readonly statusFilter: Locator;
	readonly actionMenu: Locator;
	/** "6 users" / "6 users, 2 selected", next to the heading. */
	readonly count: Locator;
	/** The open confirm dialog (closed <dialog>s are not in the accessibility tree). */
	readonly dialog: Locator;
	/** The notice after an action ("Deleted Ann Lee and Bo Chen." with Undo). */
	readonly notice: Locator;
	/** The Columns button and the panel it opens ("Columns shown on this device"). */
	readonly columnsButton: Locator;
	readonly columnChooser: Locator;
	/** The tooltip with the whole values of cut cells. */
	readonly fullValue: Locator;
	/** What the search box finds, said under it (its description). */
	readonly searchHint: Locator;
	/** The first-run welcome of an empty directory, with the ways in. */
	readonly welcome: Locator;
	/** The line shown when a search or filter matches no one, with its Clear button. */
	readonly noMatches: Locator;

	constructor(page: Page) {
		this.page = page;
		this.heading = page.getByRole('heading', { level: 1, name: 'Users' });
		this.grid = page.getByRole('grid', { name: 'Users' });
		this.search = page.getByRole('searchbox', { name: 'Search users' });
		this.statusFilter = page.getByRole('combobox', { name: 'Status' });
		this.actionMenu = page.getByRole('button', { name: 'Action' });
		this.count = page.getByRole('main').getByText(/^(Loading…|[\d,]+ users?(, [\d,]+ selected)?)$/);
		this.dialog = page.getByRole('dialog');
		this.notice = page
			.getByRole('main')
			.getByRole('status')
			.filter({ has: page.getByRole('button', { name: 'Dismiss' }) });
		this.columnsButton = page.getByRole('button', { name: 'Columns' });
		this.columnChooser = page.getByRole('group', { name: 'Columns shown on this device' });
		this.fullValue = page.getByRole('tooltip');
		this.searchHint = page.locator('#user-search-hint');
		this.welcome = page.getByRole('region', { name: 'Welcome to Rollcall' });
		this.noMatches = page.getByRole('main').getByText(/^No users match /);
	}

	async goto(): Promise<void> {
		await this.page.goto('/');
		// An empty directory shows its welcome instead of the grid.
		await expect(this.grid.or(this.welcome)).toBeVisible();
		await expect(this.count).not.toHaveText('Loading…');
	}

	/** The grid's data rows (the header row has no checkbox named "Select <name>" of its own). */
	get rows(): Locator {
		return this.grid.getByRole('row').filter({ has: this.page.getByRole('gridcell') });
	}

	row(name: string): Locator {
		return this.rows.filter({ has: this.page.getByRole('link', { name, exact: true }) });
	}

	checkbox(name: string): Locator {
		return this.grid.getByRole('checkbox', { name: `Select ${name}`, exact: true });
	}

	/** The header checkbox: "Select all N users" / "Unselect all users". */
	get selectAll(): Locator {
		return this.grid.getByRole('columnheader').getByRole('checkbox');
	}

	columnHeader(label: string): Locator {
		return this.grid.getByRole('columnheader', { name: label, exact: true });
	}

	/** The column headers' labels, left to right (the checkbox column's header has none). */
	async expectColumns(labels: string[]): Promise<void> {
		await expect(this.grid.getByRole('columnheader').filter({ hasNotText: /^$/ })).toHaveText(
			labels.map((label) => new RegExp(`^\\s*${label}\\s*[▲▼]?\\s*$`))
		);
	}

	/** A row's cell under a column header. */
	async cell(name: string, label: string): Promise<Locator> {
		const headers = await this.grid.getByRole('columnheader').allInnerTexts();
		const index = headers.findIndex((text) => text.replace(/[▲▼]/g, '').trim() === label);
		expect(index, `the list shows a ${label} column`).toBeGreaterThan(0);
		return this.row(name).getByRole('gridcell').nth(index);
	}

	sortButton(label: string): Locator {
		return this.columnHeader(label).getByRole('button');
	}

	/** The names in the grid, top to bottom (each name is a link to the user's page), are these. */
	async expectNames(names: string[]): Promise<void> {
		await expect(this.rows.getByRole('link')).toHaveText(names);
	}

	/** The Group filter (shown once the customer has a group). */
	get groupFilter(): Locator {
		return this.page.getByRole('combobox', { name: 'Group' });
	}

	/** Action -> item -> the confirm dialog (returned, still open). */
	async openAction(
		item:
			| 'Suspend…'
			| 'Reactivate…'
			| 'Delete…'
			| 'Send activation email…'
			| 'Add to group…'
			| 'Remove from group…'
			| 'Roles…'
			| 'Licenses…'
	): Promise<Locator> {
		await this.actionMenu.click();
		await this.page.getByRole('menuitem', { name: item }).click();
		await expect(this.dialog).toBeVisible();
		return this.dialog;
	}

	/** The id of the row the grid's keyboard cursor is on, then that row. */
	async activeRow(): Promise<Locator> {
		const id = await this.grid.getAttribute('aria-activedescendant');
		expect(id, 'the grid names its active row').toBeTruthy();
		return this.grid.locator(`[id="${id}"]`);
	}
}
