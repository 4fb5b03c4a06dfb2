import vue from '@vitejs/plugin-vue';

// Tell Vue's template compiler that <pay-with-klarna> is a custom element, not a Vue component.
export default {
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'pay-with-klarna' } } })],
};
