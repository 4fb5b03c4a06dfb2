/** The part of fs-native-extensions (which ships no types) that store.ts uses. */
declare module 'fs-native-extensions' {
  const extensions: {
    /** Takes an exclusive lock on the open file, or returns false when another open file holds one. */
    tryLock(fd: number): boolean;
    unlock(fd: number): void;
  };
  export default extensions;
}
