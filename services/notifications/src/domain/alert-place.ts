/**
 * Where an alert's notifications belong: the alert's case and region, which
 * `homeward.notification.delivered`, `-acknowledged` and `-failed` repeat (optional catalogue
 * fields) so that a consumer places a notification without having seen the alert first.
 */
export interface AlertPlace {
  caseId?: string;
  region?: string;
}

/**
 * The place of an issued alert, from its event (both fields are required there).
 */
export function placeOfIssued(d: { caseId: string; region: string }): AlertPlace {
  return { caseId: d.caseId, region: d.region };
}

/**
 * The place of a stored alert. Every alert document has held its case (`caseId`) and region
 * (`view.region`) since this service first stored alerts; should one lack either, the field is
 * left out (the catalogue lets it be absent) rather than made up.
 */
export function placeOfStored(alert: { caseId?: unknown; view?: { region?: unknown } }): AlertPlace {
  const place: AlertPlace = {};
  if (typeof alert.caseId === 'string' && alert.caseId !== '') place.caseId = alert.caseId;
  const region = alert.view?.region;
  if (typeof region === 'string' && region !== '') place.region = region;
  return place;
}
