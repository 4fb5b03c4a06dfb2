/** The few words the element says itself; everything else on screen is Klarna's. */
export interface PayWithKlarnaStrings {
  /** Announced (and kept for assistive technology) while Klarna loads. */
  loading: string;
}

// For the languages of the markets Klarna serves; a merchant can override any string.
const LOADING: Record<string, string> = {
  en: 'Loading Klarna…',
  de: 'Klarna wird geladen…',
  sv: 'Laddar Klarna…',
  nb: 'Laster inn Klarna…',
  no: 'Laster inn Klarna…',
  da: 'Indlæser Klarna…',
  fi: 'Ladataan Klarnaa…',
  nl: 'Klarna wordt geladen…',
  fr: 'Chargement de Klarna…',
  es: 'Cargando Klarna…',
  it: 'Caricamento di Klarna…',
  pl: 'Ładowanie Klarna…',
  pt: 'A carregar Klarna…',
  cs: 'Načítání Klarna…',
  sk: 'Načítava sa Klarna…',
  el: 'Φόρτωση Klarna…',
  ro: 'Se încarcă Klarna…',
  hu: 'Klarna betöltése…',
};

/** The strings for `locale` (e.g. de-AT → German), with the merchant's own on top. */
export function stringsFor(locale: string, overrides: Partial<PayWithKlarnaStrings> = {}): PayWithKlarnaStrings {
  const language = locale.toLowerCase().split(/[-_]/)[0] ?? 'en';
  return { loading: LOADING[language] ?? LOADING.en!, ...overrides };
}
