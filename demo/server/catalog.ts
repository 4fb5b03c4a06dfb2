/** The shop's products, priced on the server: the browser's idea of a price is never trusted. */
export interface Product {
  sku: string;
  name: string;
  description: string;
  price: number; // minor units
  image: string;
  subscription?: { interval: 'MONTH' | 'YEAR'; frequency: number };
}

export const CURRENCY = 'USD';

/**
 * An amount in minor units as a customer reads it: 11800 USD is $118.00 (and 500 JPY ¥500); as given when the currency
 * is no currency.
 */
export function money(amount: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits!);
  } catch {
    return `${amount} ${currency}`; // a page's currency that Intl does not know (RangeError)
  }
}

export const PRODUCTS: Product[] = [
  {
    sku: 'headphones',
    name: 'Wireless headphones',
    description: 'Over-ear, 30 hours of battery.',
    price: 11800,
    image: '/public/products/headphones.svg',
  },
  {
    sku: 'mug',
    name: 'Stoneware mug',
    description: 'Hand-glazed, 350 ml.',
    price: 2400,
    image: '/public/products/mug.svg',
  },
  {
    sku: 'backpack',
    name: 'Everyday backpack',
    description: 'Recycled canvas, 20 litres.',
    price: 8900,
    image: '/public/products/backpack.svg',
  },
  {
    sku: 'coffee-club',
    name: 'Coffee club',
    description: 'A fresh bag of beans every month. Cancel any time.',
    price: 1900,
    image: '/public/products/coffee.svg',
    subscription: { interval: 'MONTH', frequency: 1 },
  },
];

export function product(sku: string): Product | undefined {
  return PRODUCTS.find((candidate) => candidate.sku === sku);
}
