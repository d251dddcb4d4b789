// opencc-js ships its dictionaries as modules exporting one string ("trad simp|trad simp|...")
// without type declarations.
declare module 'opencc-js/dict/TSCharacters' {
  const dictionary: string;
  export default dictionary;
}
