// Lets TypeScript import single-file components (type-checked by vue-tsc in a real app).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
