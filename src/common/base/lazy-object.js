// Port of libcloud/common/base.py: LazyObject.
/** A base for classes whose instances may be built on first use (`LazyObject.lazy(...args)`). */
export class LazyObject {
    /** An object that behaves as `new this(...args)` but builds it only when first used. */
    static lazy(...args) {
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class to build later, captured for the proxy
        const Cls = this;
        let instance;
        const real = () => (instance ??= new Cls(...args));
        return new Proxy(Object.create(Cls.prototype), {
            get(_target, property) {
                const target = real();
                const value = Reflect.get(target, property, target);
                return typeof value === "function" ? value.bind(target) : value;
            },
            set: (_target, property, value) => Reflect.set(real(), property, value),
            has: (_target, property) => Reflect.has(real(), property),
            ownKeys: () => Reflect.ownKeys(real()),
            getOwnPropertyDescriptor: (_target, property) => {
                const d = Reflect.getOwnPropertyDescriptor(real(), property);
                return d === undefined ? undefined : { ...d, configurable: true };
            },
            getPrototypeOf: () => Cls.prototype,
        });
    }
}
