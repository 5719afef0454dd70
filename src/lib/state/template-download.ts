import { matchingPreset } from '$lib/domain/policy';
import { csvTemplate, templateFileName, xlsxTemplate } from '$lib/import/template';
import { download } from './download';
import { settings } from './settings.svelte';

/** Downloads the import template for the current field policy, with example rows (the Import page's and the empty list's). */
export function downloadTemplate(kind: 'csv' | 'xlsx'): void {
	const preset = matchingPreset(settings.policy)?.name;
	const bytes =
		kind === 'csv'
			? csvTemplate(settings.policy, { example: true })
			: xlsxTemplate(settings.policy, { example: true });
	const type =
		kind === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
	download(bytes, templateFileName(kind, preset), type);
}
