<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>SettingsWindow</name>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Code style (light)</source>
        <translation>代码配色（浅色）</translation>
    </message>
    <message>
        <source>colours of code in the light theme</source>
        <translation>浅色主题下代码的颜色</translation>
    </message>
    <message>
        <source>Code style (dark)</source>
        <translation>代码配色（深色）</translation>
    </message>
    <message>
        <source>colours of code in the dark theme</source>
        <translation>深色主题下代码的颜色</translation>
    </message>
    <message>
        <source>Applies at once, to every pane and window.</source>
        <translation>立即应用到所有面板和窗口。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>the language of the interface; System follows the system&apos;s language</source>
        <translation>界面语言；“跟随系统”使用系统的语言</translation>
    </message>
    <message>
        <source>The language changes when the app starts again.</source>
        <translation>语言在应用重新启动后生效。</translation>
    </message>
    <message>
        <source>Model and hardware</source>
        <translation>模型与硬件</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>未加载模型。</translation>
    </message>
    <message>
        <source>Context limit</source>
        <translation>上下文上限</translation>
    </message>
    <message>
        <source>upper bound on the context, in tokens, whatever the model was trained on</source>
        <translation>上下文的上限（词元数），不论模型训练时的长度</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU 层数</translation>
    </message>
    <message>
        <source>layers offloaded to the GPU; 0 runs on the CPU only</source>
        <translation>卸载到 GPU 的层数；0 表示只用 CPU 运行</translation>
    </message>
    <message>
        <source>All the build can offload</source>
        <translation>此构建能卸载的全部层</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>线程</translation>
    </message>
    <message>
        <source>threads that generate tokens</source>
        <translation>生成词元的线程数</translation>
    </message>
    <message>
        <source>Automatic ({count} on this machine)</source>
        <translation>自动（本机为 {count}）</translation>
    </message>
    <message>
        <source>Memory limit</source>
        <translation>内存上限</translation>
    </message>
    <message>
        <source>never plan to use more than this, in MB</source>
        <translation>计划使用的内存绝不超过此值（MB）</translation>
    </message>
    <message>
        <source>What the machine has ({size} GiB)</source>
        <translation>本机全部内存（{size} GiB）</translation>
    </message>
    <message>
        <source>These apply when the model is loaded again; the window offers to reload it.</source>
        <translation>这些设置在模型重新加载时生效；窗口会提示你重新加载。</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>What the assistant is told before every conversation</source>
        <translation>每次对话开始前告诉助手的话</translation>
    </message>
    <message>
        <source>The system prompt applies to the open conversation and to new ones.</source>
        <translation>系统提示词适用于当前打开的对话和新对话。</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>0 = always the most likely token</source>
        <translation>0 = 总是选最可能的词元</translation>
    </message>
    <message>
        <source>nucleus sampling</source>
        <translation>核采样</translation>
    </message>
    <message>
        <source>0 = no limit</source>
        <translation>0 = 不限制</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>不限制</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>1 = off</source>
        <translation>1 = 关闭</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <source>longest answer in tokens</source>
        <translation>回答的最大长度（词元）</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>-1 = random each time</source>
        <translation>-1 = 每次随机</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <source>larger files are left out of the index</source>
        <translation>更大的文件不编入索引</translation>
    </message>
    <message>
        <source>Largest file</source>
        <translation>最大文件</translation>
    </message>
    <message>
        <source>Leave out what .gitignore leaves out</source>
        <translation>排除 .gitignore 排除的内容</translation>
    </message>
    <message>
        <source>Also leave out</source>
        <translation>另外排除</translation>
    </message>
    <message>
        <source>one gitignore-style pattern per line, e.g. vendor/</source>
        <translation>每行一个 gitignore 风格的模式，例如 vendor/</translation>
    </message>
    <message>
        <source>Always include</source>
        <translation>始终包含</translation>
    </message>
    <message>
        <source>patterns forced back in, e.g. !generated/api.py</source>
        <translation>强制重新包含的模式，例如 !generated/api.py</translation>
    </message>
    <message>
        <source>Always left out unless included above: {patterns}. Binary, non-UTF-8 and generated (minified) files are skipped and listed.</source>
        <translation>除非在上面包含，以下内容总是排除：{patterns}。二进制、非 UTF-8 以及生成的（压缩过的）文件会被跳过并列出。</translation>
    </message>
    <message>
        <source>Applies the next time a folder is indexed: open it again in the Repository tab.</source>
        <translation>下次为文件夹建立索引时生效：在“仓库”标签页中重新打开它。</translation>
    </message>
    <message>
        <source>Infill</source>
        <translation>代码填充</translation>
    </message>
    <message>
        <source>The best installed</source>
        <translation>已安装中最好的</translation>
    </message>
    <message>
        <source>tokens of code around the cursor: a larger window is slower</source>
        <translation>光标周围代码的词元数：窗口越大越慢</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 词元</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>the model the Infill tab loads</source>
        <translation>“代码填充”标签页加载的模型</translation>
    </message>
    <message>
        <source>Code around the cursor</source>
        <translation>光标周围的代码</translation>
    </message>
    <message>
        <source>Applies to the next fill.</source>
        <translation>下次填充时生效。</translation>
    </message>
    <message>
        <source>Hub</source>
        <translation>Hugging Face</translation>
    </message>
    <message>
        <source>hf_…  (empty: HF_TOKEN or `hf auth login`)</source>
        <translation>hf_…（留空：使用 HF_TOKEN 或 `hf auth login`）</translation>
    </message>
    <message>
        <source>Save token</source>
        <translation>保存令牌</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Looking for the system keyring…</source>
        <translation>正在查找系统密钥环…</translation>
    </message>
    <message>
        <source>Mirror</source>
        <translation>镜像</translation>
    </message>
    <message>
        <source>empty: HF_ENDPOINT, else huggingface.co</source>
        <translation>留空：使用 HF_ENDPOINT，否则使用 huggingface.co</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>the context limit</source>
        <translation>上下文上限</translation>
    </message>
    <message>
        <source>threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <source>the memory limit</source>
        <translation>内存上限</translation>
    </message>
    <message>
        <source>%n thread(s)</source>
        <translation>%n 个线程</translation>
    </message>
    <message>
        <source>{items} and {item}</source>
        <translation>{items}和{item}</translation>
    </message>
    <message>
        <source>{items}, {item}</source>
        <translation>{items}、{item}</translation>
    </message>
    <message>
        <source>A token is saved in {where}.</source>
        <translation>令牌已保存在 {where} 中。</translation>
    </message>
    <message>
        <source>No token saved; one would be kept in {where}.</source>
        <translation>尚未保存令牌；令牌将保存在 {where} 中。</translation>
    </message>
    <message>
        <source>A token is saved in a file only you can read ({why}): {where}</source>
        <translation>令牌已保存在只有你能读取的文件中（{why}）：{where}</translation>
    </message>
    <message>
        <source>A token is saved in a file only you can read: {where}</source>
        <translation>令牌已保存在只有你能读取的文件中：{where}</translation>
    </message>
    <message>
        <source>No token saved; one would be kept in a file only you can read ({why}): {where}</source>
        <translation>尚未保存令牌；令牌将保存在只有你能读取的文件中（{why}）：{where}</translation>
    </message>
    <message>
        <source>No token saved; one would be kept in a file only you can read: {where}</source>
        <translation>尚未保存令牌；令牌将保存在只有你能读取的文件中：{where}</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Reload the model now</source>
        <translation>立即重新加载模型</translation>
    </message>
    <message>
        <source>The hub token could not be read</source>
        <translation>无法读取 Hub 令牌</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s) on the GPU ({backend})</source>
        <translation>
            <numerusform>%n 层在 GPU 上（{backend}）</numerusform>
        </translation>
    </message>
    <message>
        <source>on the CPU: this llama.cpp build cannot offload to a GPU</source>
        <translation>在 CPU 上：此 llama.cpp 构建不能卸载到 GPU</translation>
    </message>
    <message>
        <source>on the CPU, as set</source>
        <translation>按设置在 CPU 上</translation>
    </message>
    <message>
        <source>{model} is loaded with {reason}. It runs {where}, with {threads} generating and {batch} reading prompts.</source>
        <translation>{model} 已加载，{reason}。运行位置：{where}；{threads}用于生成，{batch}用于读取提示词。</translation>
    </message>
    <message>
        <source>The model uses {what} from when it was loaded; the new value applies when it is loaded again.</source>
        <translation>模型仍在使用加载时的{what}；新值在重新加载后生效。</translation>
    </message>
    <message>
        <source>The model uses {what} from when it was loaded; the new values apply when it is loaded again.</source>
        <translation>模型仍在使用加载时的{what}；新值在重新加载后生效。</translation>
    </message>
    <message>
        <source>Loading {name} again…</source>
        <translation>正在重新加载 {name}…</translation>
    </message>
    <message>
        <source>The hub token could not be saved</source>
        <translation>无法保存 Hub 令牌</translation>
    </message>
    <message>
        <source>Restart to change the language</source>
        <translation>重新启动以切换语言</translation>
    </message>
    <message>
        <source>The new language is used once the app starts again. Restart now? What is open is saved first, as at any quit.</source>
        <translation>新语言将在应用重新启动后使用。现在重新启动吗？和平常退出一样，打开的内容会先保存。</translation>
    </message>
    <message>
        <source>Restart now</source>
        <translation>立即重新启动</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
</context>
</TS>
