// Vue's full browser build has the API of 'vue' (plus the runtime template compiler).
declare module 'vue/dist/vue.esm-browser.js' {
  export * from 'vue';
}
