import { matchingPreset } from '$lib/domain/policy';
import { csvTemplate, templateFileName, xlsxTemplate } from '$lib/import/template';
import { sitesOf } from '$lib/domain/customer';
import { currentCustomer } from './current-customer.svelte';
import { download } from './download';
import { settings } from './settings.svelte';

/** Downloads the import template for the current field policy, with example rows (the Import page's and the empty list's). */
export function downloadTemplate(kind: 'csv' | 'xlsx'): void {
	const preset = matchingPreset(settings.policy)?.name;
	// The customer's field policy (settings) and sites: CSV has no drop-downs, only the examples use them.
	const options = { example: true, sites: sitesOf(currentCustomer.customer?.sites) };
	const bytes =
		kind === 'csv' ? csvTemplate(settings.policy, options) : xlsxTemplate(settings.policy, options);
	const type =
		kind === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
	download(bytes, templateFileName(kind, preset), type);
}
